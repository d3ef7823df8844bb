//! Secure messages and data requests: validation at the edge and the guard's scan, then
//! one call into the gate.

use std::sync::{Arc, OnceLock};

use uuid::Uuid;

use skjold_scrub::{Config, Kind, Scrubber};
use skjold_store::Actor;
use skjold_store::gate::{GuardFindings, OpenRequest, ThreadView};

use crate::ops::parse_field;
use crate::{App, AppError};

/// The longest message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// The scrubber the guard uses, built once (its patterns take a few milliseconds).
#[derive(Clone, Default)]
pub(crate) struct Guard(Arc<OnceLock<Result<Scrubber, String>>>);

impl Guard {
    fn scrubber(&self, app: &App) -> Result<&Scrubber, AppError> {
        let built = self.0.get_or_init(|| {
            let today = app.now().local_date();
            let today = skjold_scrub::Date::new(today.year(), today.month(), today.day());
            Scrubber::new(Config {
                today,
                ..Config::default()
            })
            .map_err(|e| e.to_string())
        });
        built
            .as_ref()
            .map_err(|e| AppError::Internal(format!("guard scrubber: {e}")))
    }
}

impl App {
    /// What the guard sees in a text: CPR numbers and special-category or criminal terms.
    pub fn guard_findings(&self, text: &str) -> Result<GuardFindings, AppError> {
        let scrubber = self.guard.scrubber(self)?;
        let mut findings = GuardFindings::default();
        for f in scrubber.find(text) {
            match f.kind {
                Kind::Cpr | Kind::NoId => findings.cpr_numbers += 1,
                Kind::Sensitive => {
                    let term = text.get(f.start..f.end).unwrap_or_default().to_lowercase();
                    if !findings.sensitive_terms.contains(&term) {
                        findings.sensitive_terms.push(term);
                    }
                }
                _ => {}
            }
        }
        Ok(findings)
    }

    pub async fn thread(&self, actor: &Actor, order_id: Uuid) -> Result<ThreadView, AppError> {
        Ok(self.store.thread(actor, order_id, self.now()).await?)
    }

    /// Sends a message on an order's thread; see the gate for the guard's rules.
    pub async fn send_message(
        &self,
        actor: &Actor,
        order_id: Uuid,
        body: &str,
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::invalid("message_empty", "beskeden er tom"));
        }
        if body.chars().count() > MAX_MESSAGE_CHARS {
            return Err(AppError::invalid(
                "message_too_long",
                format!("beskeden er for lang (højst {MAX_MESSAGE_CHARS} tegn)"),
            ));
        }
        let findings = self.guard_findings(body)?;
        Ok(self
            .store
            .post_message(actor, order_id, body, &findings, confirmation, self.now())
            .await?)
    }

    /// LP-5: a supplier asks for more fields of an order, with a reason.
    pub async fn request_data(
        &self,
        actor: &Actor,
        order_id: Uuid,
        fields: &[String],
        reason: &str,
    ) -> Result<Uuid, AppError> {
        let mut keys = Vec::with_capacity(fields.len());
        for f in fields {
            let key = parse_field(f)?;
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(self
            .store
            .request_data(actor, order_id, &keys, reason, self.now())
            .await?)
    }

    pub async fn decide_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
        approve: bool,
        reason: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store
            .decide_request(actor, request_id, approve, reason, self.now())
            .await?)
    }

    pub async fn open_requests(&self, actor: &Actor) -> Result<Vec<OpenRequest>, AppError> {
        Ok(self.store.open_requests(actor).await?)
    }
}

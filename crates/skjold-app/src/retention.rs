//! Retention that runs: the rules, the run (from `skjold retention run`, the server's daily
//! keeper, or the privacy officer), and the delivery of each deletion receipt to the
//! connected systems that hold copies (an archive, a case system).
//!
//! A connector receives every receipt, and is retried until it acknowledges; until then the
//! receipt shows as pending. Two ship:
//! - [`Connector::File`] appends the receipt as a JSON line to a file (acknowledged once the
//!   line is written and synced);
//! - [`Connector::Webhook`] posts the receipt as JSON to a URL, signed with HMAC-SHA-256 in
//!   the `X-Skjold-Signature: sha256=<hex>` header over the body; any 2xx answer
//!   acknowledges it.
//!
//! Failed deliveries back off (1 minute, doubling, at most a day; `skjold_core::retention`).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use skjold_core::Actor;
use skjold_core::retention::{Delivery, Receipt, RetentionRule, RuleInput, RunReport};

use crate::{App, AppError};

/// A connected system that is told of every deletion.
#[derive(Debug, Clone)]
pub enum Connector {
    File {
        name: String,
        path: PathBuf,
    },
    Webhook {
        name: String,
        url: String,
        secret: String,
    },
}

impl Connector {
    pub fn name(&self) -> &str {
        match self {
            Connector::File { name, .. } | Connector::Webhook { name, .. } => name,
        }
    }

    /// Delivers one receipt; `Err` with what went wrong.
    async fn deliver(&self, receipt: &Receipt) -> Result<(), String> {
        let body = serde_json::to_vec(receipt).map_err(|e| e.to_string())?;
        match self {
            Connector::File { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || -> Result<(), String> {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                    }
                    let mut f = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .map_err(|e| e.to_string())?;
                    f.write_all(&body).map_err(|e| e.to_string())?;
                    f.write_all(b"\n").map_err(|e| e.to_string())?;
                    f.sync_data().map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())?
            }
            Connector::Webhook { url, secret, .. } => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
                    .map_err(|e| e.to_string())?;
                mac.update(&body);
                let signature = hex::encode(mac.finalize().into_bytes());
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(Duration::from_secs(10))
                    .timeout(Duration::from_secs(30))
                    .build()
                    .map_err(|e| e.to_string())?;
                let answer = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-skjold-signature", format!("sha256={signature}"))
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if answer.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("answered {}", answer.status()))
                }
            }
        }
    }
}

impl App {
    /// Tells `connectors` of every deletion.
    pub fn with_connectors(mut self, connectors: Vec<Connector>) -> App {
        self.connectors = connectors;
        self
    }

    pub async fn retention_rules(&self, actor: &Actor) -> Result<Vec<RetentionRule>, AppError> {
        Ok(self.store().gate().retention_rules(actor).await?)
    }

    pub async fn set_retention_rule(
        &self,
        actor: &Actor,
        rule: &RuleInput,
    ) -> Result<Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .set_retention_rule(actor, rule, self.now())
            .await?)
    }

    pub async fn retire_retention_rule(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .retire_retention_rule(actor, id, self.now())
            .await?)
    }

    /// Runs the retention rules (of the actor's municipality; of all when `actor` is none,
    /// as the command line and the keeper do), then delivers the receipts that are due to
    /// the connected systems. A dry run changes nothing and delivers nothing.
    pub async fn run_retention(
        &self,
        actor: Option<&Actor>,
        dry_run: bool,
    ) -> Result<RunReport, AppError> {
        let names: Vec<String> = self
            .connectors
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        let mut report = self
            .store()
            .gate()
            .run_retention(actor, dry_run, &names, self.now())
            .await?;
        if !dry_run && actor.is_none() {
            report.invoice_copies_deleted =
                self.store().gate().expire_invoice_raw(self.now()).await?;
        }
        if !dry_run {
            let (delivered, pending) = self
                .deliver_receipts(actor.map(|a| a.controller_id))
                .await?;
            report.delivered = delivered;
            report.pending = pending;
        }
        Ok(report)
    }

    /// Tries every delivery that is due; returns how many were acknowledged and how many
    /// are still pending.
    pub async fn deliver_receipts(&self, controller: Option<Uuid>) -> Result<(u64, u64), AppError> {
        let gate = self.store().gate();
        let due = gate
            .pending_deliveries(controller, true, self.now())
            .await?;
        let mut delivered = 0;
        for (d, receipt) in due {
            let Some(connector) = self.connectors.iter().find(|c| c.name() == d.connector) else {
                continue;
            };
            let outcome = connector.deliver(&receipt).await;
            if let Err(e) = &outcome {
                tracing::warn!(connector = %d.connector, error.detail = %e, "a deletion receipt was not delivered; it will be retried");
            } else {
                delivered += 1;
            }
            gate.record_delivery(d.receipt_id, &d.connector, outcome, self.now())
                .await?;
        }
        let pending = gate
            .pending_deliveries(controller, false, self.now())
            .await?
            .len();
        Ok((delivered, u64::try_from(pending).unwrap_or(u64::MAX)))
    }

    /// The deliveries not yet acknowledged.
    pub async fn pending_deliveries(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(Delivery, Receipt)>, AppError> {
        crate::require(actor, skjold_core::Action::ReadRecords)?;
        Ok(self
            .store()
            .gate()
            .pending_deliveries(Some(actor.controller_id), false, self.now())
            .await?)
    }

    /// The deletion receipts, newest first.
    pub async fn deletion_receipts(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Receipt>, u64), AppError> {
        Ok(self
            .store()
            .gate()
            .deletion_receipts(actor, limit, offset)
            .await?)
    }
}

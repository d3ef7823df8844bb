//! The background keeper of a running server: it signs a checkpoint of the access log
//! every minute (and shows it to the log's witnesses, if any), and once a day deletes the log's shards past retention, applies the
//! retention rules (delivering their receipts to the connected systems, retrying those
//! that failed) and suspends the users whose role was not confirmed in time (the access
//! review).

use std::time::Duration;

use crate::App;
use crate::witnesses::WitnessConfig;

/// How often the keeper wakes.
const TICK: Duration = Duration::from_secs(60);
/// Every how many ticks the daily work runs (the first tick included).
const DAILY: u64 = 24 * 60;

/// Starts the keeper on the current Tokio runtime. `retention_months` is the access log's
/// retention (at least [`crate::audit::MIN_RETENTION_MONTHS`]); `witnesses` get every
/// checkpoint to cosign.
pub fn spawn_keeper(app: App, retention_months: u32, witnesses: Vec<WitnessConfig>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        for n in 0u64.. {
            tick.tick().await;
            if let Err(e) = app.checkpoint_log().await {
                tracing::error!(error.detail = %e, "could not sign an access-log checkpoint");
            }
            if !witnesses.is_empty() {
                witness(&app, &witnesses).await;
            }
            if n % DAILY == 0 {
                daily(&app, retention_months).await;
            }
        }
    });
}

async fn witness(app: &App, witnesses: &[WitnessConfig]) {
    match app.send_to_witnesses(witnesses).await {
        Ok(rounds) => {
            for r in rounds {
                match r.problem {
                    Some(p) => {
                        tracing::warn!(witness = %r.witness, cosigned = r.cosigned, problem = %p, "a witness did not cosign")
                    }
                    None if r.cosigned > 0 => {
                        tracing::info!(witness = %r.witness, cosigned = r.cosigned, "checkpoints cosigned")
                    }
                    None => {}
                }
            }
        }
        Err(e) => tracing::error!(error.detail = %e, "could not send checkpoints to the witnesses"),
    }
}

async fn daily(app: &App, retention_months: u32) {
    match app.prune_log(retention_months).await {
        Ok(pruned) if !pruned.is_empty() => {
            tracing::info!(shards = ?pruned, "access-log shards past retention deleted");
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error.detail = %e, "access-log pruning failed"),
    }
    match app.run_retention(None, false).await {
        Ok(r) if !r.receipts.is_empty() || r.pending > 0 => tracing::info!(
            receipts = r.receipts.len(),
            pending = r.pending,
            "retention rules applied"
        ),
        Ok(_) => {}
        Err(e) => tracing::error!(error.detail = %e, "the retention run failed"),
    }
    if let Err(e) = app.suspend_overdue().await {
        tracing::error!(error.detail = %e, "the access review's suspensions failed");
    }
}

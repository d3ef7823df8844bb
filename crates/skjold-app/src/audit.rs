//! The operator's side of the tamper-evident access log: sign a checkpoint, verify the
//! log, prune it past retention, print the verifier key, check an export offline. The
//! privacy officer's and auditor's exports go through [`crate::oversight`].

pub use skjold_store::audit::export::ExportCheck;
pub use skjold_store::audit::verify::VerifyReport;
pub use skjold_store::audit::witness::CosignatureVerifier;
pub use skjold_store::audit::{MIN_RETENTION_MONTHS, StoredCheckpoint};

use skjold_store::audit::NoteVerifier;
use skjold_store::audit::export::verify_export;

use crate::{App, AppError};

/// Why an export did not check out offline.
#[derive(Debug, thiserror::Error)]
pub enum ExportProblem {
    #[error("the verifier key is malformed: {0}")]
    Key(String),
    #[error("{0}")]
    Export(String),
}

/// Checks an export (JSON Lines or CSV) against verifier keys, with nothing else: every
/// checkpoint's signature by the key its origin names, every entry's inclusion proof, and
/// that every checkpoint carries at least `min_cosignatures` valid cosignatures by the
/// `witnesses`.
pub fn check_export(
    text: &str,
    verifier_keys: &[String],
    witnesses: &[CosignatureVerifier],
    min_cosignatures: usize,
) -> Result<ExportCheck, ExportProblem> {
    let verifiers = verifier_keys
        .iter()
        .map(|k| NoteVerifier::parse(k).map_err(|e| ExportProblem::Key(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    verify_export(text, &verifiers, witnesses, min_cosignatures).map_err(ExportProblem::Export)
}

impl App {
    /// Signs a checkpoint of every shard that grew since the last one.
    pub async fn checkpoint_log(&self) -> Result<Vec<StoredCheckpoint>, AppError> {
        Ok(self.store().audit().checkpoint_log(self.now()).await?)
    }

    /// Recomputes every shard and checks every checkpoint.
    pub async fn verify_log(&self) -> Result<VerifyReport, AppError> {
        Ok(self.store().audit().verify_log().await?)
    }

    /// Deletes the shards whose month ended more than `retention_months` ago (at least
    /// [`MIN_RETENTION_MONTHS`]); their final checkpoints stay. Returns the shards deleted.
    pub async fn prune_log(&self, retention_months: u32) -> Result<Vec<String>, AppError> {
        Ok(self
            .store()
            .audit()
            .prune_log(self.now(), retention_months)
            .await?)
    }

    /// The keys that check this log's checkpoints, to give the supervisory authority: the
    /// log identity that signs now first, then older identities and the key of shards from
    /// before the log was one tree.
    pub async fn log_verifiers(&self) -> Result<Vec<String>, AppError> {
        Ok(self
            .store()
            .audit()
            .log_verifiers()
            .await?
            .iter()
            .map(ToString::to_string)
            .collect())
    }
}

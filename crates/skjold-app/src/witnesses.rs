//! Sending the access log's checkpoints to its witnesses (C2SP tlog-witness) and keeping
//! their cosignatures. `skjold serve` does so after each minute's checkpoint for the
//! witnesses in `SKJOLD_WITNESSES`; each witness gets, in order, the final checkpoint of
//! every shard and the latest, each with the consistency proof from the last one it
//! cosigned.

use std::time::Duration;

use skjold_core::Problem;
use skjold_store::StoreError;
use skjold_store::audit::witness::CosignatureVerifier;

use crate::{App, AppError};

/// A witness the log reports to: where it takes checkpoints, and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessConfig {
    /// The submission prefix; requests go to `<url>/add-checkpoint`.
    pub url: String,
    pub key: CosignatureVerifier,
}

/// Reads witnesses as `SKJOLD_WITNESSES` gives them: entries separated by `;`, each a
/// submission URL and the witness's key (`skjold witness key`) separated by a space.
pub fn parse_witnesses(text: &str) -> Result<Vec<WitnessConfig>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let (url, key) = entry
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("«{entry}»: a URL and a witness key are needed"))?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("«{url}» is not an http(s) URL"));
            }
            let key = CosignatureVerifier::parse(key.trim())
                .ok_or_else(|| format!("«{}» is not a witness key", key.trim()))?;
            Ok(WitnessConfig {
                url: url.trim_end_matches('/').to_owned(),
                key,
            })
        })
        .collect()
}

/// What one round with one witness came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessRound {
    pub witness: String,
    /// Checkpoints it cosigned this round.
    pub cosigned: usize,
    /// Why it stopped early, if it did.
    pub problem: Option<String>,
}

impl App {
    /// Shows `witnesses` the log's checkpoints: the server's keeper every minute, and an
    /// export of the access log before it is read, so that its checkpoints are cosigned.
    pub fn with_witnesses(mut self, witnesses: Vec<WitnessConfig>) -> App {
        self.witnesses = witnesses;
        self
    }

    /// The witnesses configured.
    pub fn witnesses(&self) -> &[WitnessConfig] {
        &self.witnesses
    }

    /// Shows each witness the checkpoints it has not cosigned yet and keeps its
    /// cosignatures. A witness that refuses or cannot be reached is reported, not fatal.
    pub async fn send_to_witnesses(
        &self,
        witnesses: &[WitnessConfig],
    ) -> Result<Vec<WitnessRound>, AppError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut rounds = Vec::with_capacity(witnesses.len());
        for w in witnesses {
            rounds.push(self.witness_round(&http, w).await?);
        }
        Ok(rounds)
    }

    async fn witness_round(
        &self,
        http: &reqwest::Client,
        w: &WitnessConfig,
    ) -> Result<WitnessRound, AppError> {
        let audit = self.store().audit();
        let (mut old, pending) = audit.witness_backlog(w.key.name()).await?;
        let mut round = WitnessRound {
            witness: w.key.name().to_owned(),
            cosigned: 0,
            problem: None,
        };
        let url = format!("{}/add-checkpoint", w.url);
        for checkpoint in &pending {
            // At most one retry: after a 409, with the size the witness says it has.
            let mut retried = false;
            loop {
                let proof = match audit.consistency_proof(old, Some(checkpoint.size)).await {
                    Ok(p) => p,
                    Err(StoreError::Refused(Problem::LogProofUnavailable(why))) => {
                        round.problem = Some(why);
                        return Ok(round);
                    }
                    Err(e) => return Err(e.into()),
                };
                let answer = http
                    .post(&url)
                    .header("content-type", "text/plain; charset=utf-8")
                    .body(skjold_store::audit::witness::add_checkpoint_request(
                        old,
                        &proof.proof,
                        &checkpoint.note,
                    ))
                    .send()
                    .await;
                let answer = match answer {
                    Ok(a) => a,
                    Err(e) => {
                        round.problem = Some(format!("cannot reach {url}: {e}"));
                        return Ok(round);
                    }
                };
                let status = answer.status().as_u16();
                let body = answer.text().await.unwrap_or_default();
                match status {
                    200 => {
                        let mut kept = false;
                        for line in body.lines() {
                            kept |= audit
                                .keep_cosignature(&w.key, checkpoint, line, self.now())
                                .await?;
                        }
                        if !kept {
                            round.problem =
                                Some("the answer carries no valid cosignature by its key".into());
                            return Ok(round);
                        }
                        round.cosigned += 1;
                        old = checkpoint.size;
                        break;
                    }
                    409 if !retried => {
                        retried = true;
                        match skjold_store::audit::note::parse_decimal(body.trim_end_matches('\n'))
                        {
                            Some(size) if size <= checkpoint.size => old = size,
                            _ => {
                                round.problem = Some(format!(
                                    "the witness has seen size {}, beyond this checkpoint: a fork?",
                                    body.trim()
                                ));
                                return Ok(round);
                            }
                        }
                    }
                    _ => {
                        round.problem = Some(format!(
                            "the witness refused size {} ({status}): {}",
                            checkpoint.size,
                            body.trim()
                        ));
                        return Ok(round);
                    }
                }
            }
        }
        Ok(round)
    }

    /// A consistency proof from the tree of `from` leaves to the checkpoint at `to` (the
    /// latest when `None`), as a tlog-witness request body.
    pub async fn log_consistency(&self, from: u64, to: Option<u64>) -> Result<String, AppError> {
        Ok(self
            .store()
            .audit()
            .consistency_proof(from, to)
            .await?
            .to_text())
    }

    /// The inclusion proof of the entry at `index`, in the C2SP tlog-proof format.
    pub async fn log_inclusion(&self, index: u64) -> Result<String, AppError> {
        Ok(self.store().audit().tlog_proof(index).await?)
    }

    /// The size of the log's latest checkpoint and the witnesses among `witnesses` that
    /// cosigned it.
    pub async fn latest_cosigners(
        &self,
        witnesses: &[CosignatureVerifier],
    ) -> Result<(u64, Vec<String>), AppError> {
        Ok(self.store().audit().latest_cosigners(witnesses).await?)
    }
}

/// A witness as `skjold witness serve` runs it: its key (`witness.key`) and its state
/// (`witness-state.json`, the latest cosigned checkpoint of each log) in one folder. The
/// state is checked and written under one lock, and written durably (a new file, synced,
/// then renamed over the old) before the cosignature is given, as the protocol asks.
pub struct WitnessService {
    witness: skjold_store::audit::witness::Witness,
    state_path: std::path::PathBuf,
    state: tokio::sync::Mutex<skjold_store::audit::witness::WitnessState>,
}

/// The witness's key file in its folder.
pub const WITNESS_KEY_FILE: &str = "witness.key";
/// The witness's state file in its folder.
pub const WITNESS_STATE_FILE: &str = "witness-state.json";

impl WitnessService {
    /// Opens the witness in `dir` (made if needed), named `name`, following the logs whose
    /// verifier keys are `logs`.
    pub fn open(
        dir: &std::path::Path,
        name: &str,
        logs: &[String],
    ) -> Result<WitnessService, String> {
        use skjold_store::audit::NoteVerifier;
        use skjold_store::audit::witness::{Witness, WitnessKey, WitnessState};
        if name.is_empty() || name.contains(char::is_whitespace) || name.contains('+') {
            return Err(format!(
                "«{name}» cannot name a witness: no spaces and no +"
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let key = WitnessKey::load_or_create(&dir.join(WITNESS_KEY_FILE), name)
            .map_err(|e| e.to_string())?;
        let logs = logs
            .iter()
            .map(|k| NoteVerifier::parse(k).map_err(|e| format!("«{k}»: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let state_path = dir.join(WITNESS_STATE_FILE);
        let state = match std::fs::read_to_string(&state_path) {
            Ok(text) => {
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", state_path.display()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => WitnessState::default(),
            Err(e) => return Err(format!("{}: {e}", state_path.display())),
        };
        Ok(WitnessService {
            witness: Witness { key, logs },
            state_path,
            state: tokio::sync::Mutex::new(state),
        })
    }

    /// The key that checks this witness's cosignatures, to configure in the log.
    pub fn key(&self) -> String {
        self.witness.key.verifier().to_string()
    }

    /// Decides an `add-checkpoint` request: the cosignature lines, or the refusal's HTTP
    /// status and body.
    pub async fn add_checkpoint(&self, request: &str) -> Result<String, (u16, String)> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut state = self.state.lock().await;
        let mut next = state.clone();
        let line = self
            .witness
            .add_checkpoint(&mut next, request, now)
            .map_err(|r| (r.status, r.body))?;
        let path = self.state_path.clone();
        let text = serde_json::to_vec_pretty(&next).map_err(|e| (500, format!("{e}\n")))?;
        tokio::task::spawn_blocking(move || write_durably(&path, &text))
            .await
            .map_err(|e| (500, format!("{e}\n")))?
            .map_err(|e| (500, format!("the witness cannot keep its state: {e}\n")))?;
        *state = next;
        Ok(line)
    }
}

/// Writes `bytes` to `path` so that a crash leaves the old file or the new, never half:
/// a temporary file beside it, synced, renamed over it, and the folder synced.
fn write_durably(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use skjold_store::audit::witness::WitnessKey;

    #[test]
    fn witnesses_are_read_from_their_setting() {
        let k = WitnessKey::new("tilsynet.invalid/w", &[9; 32])
            .verifier()
            .to_string();
        let parsed = parse_witnesses(&format!(
            " https://w.example/ {k} ; http://127.0.0.1:9/x {k}"
        ))
        .expect("parsed");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].url, "https://w.example");
        assert_eq!(parsed[1].url, "http://127.0.0.1:9/x");
        assert!(parse_witnesses("").expect("none").is_empty());
        assert!(parse_witnesses("https://w.example/").is_err());
        assert!(parse_witnesses(&format!("ftp://w.example/ {k}")).is_err());
        assert!(parse_witnesses("https://w.example/ notakey").is_err());
    }
}

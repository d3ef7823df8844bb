//! The letters to the citizen: the access answer, the decision, the extension notice. Each
//! is a PDF/UA document in Danish, delivered to the citizen's digital mailbox through a
//! [`LetterProvider`] (Digital Post plugs in behind it; a provider that writes the letters
//! to a folder ships, as the reminders' outbox does).

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use skjold_core::rights::{CaseStatus, CaseView, DecisionLetter, ExtensionNotice, RightKind};
use skjold_core::{Action, Actor, Problem};

use crate::{App, AppError, require};

/// A letter on its way to a citizen's digital mailbox.
#[derive(Debug, Clone)]
pub struct Letter {
    /// The recipient's CPR number: the address of a digital mailbox.
    pub cpr: String,
    /// The case's reference, to file the letter under.
    pub case_reference: String,
    /// The letter's title as the mailbox shows it.
    pub title: String,
    /// `R-2026-0001-svar.pdf`
    pub filename: String,
    pub pdf: Vec<u8>,
}

/// Where letters go: Digital Post, or a folder.
pub trait LetterProvider: Send + Sync {
    fn deliver(&self, letter: &Letter) -> Result<(), String>;
}

/// Writes each letter as a PDF into a folder, with a line per letter in `index.jsonl`
/// (recipient, title, file), both readable by the owner only.
pub struct FolderProvider {
    dir: PathBuf,
    lock: Mutex<()>,
}

impl FolderProvider {
    pub fn new(dir: impl Into<PathBuf>) -> FolderProvider {
        FolderProvider {
            dir: dir.into(),
            lock: Mutex::new(()),
        }
    }
}

fn private_file(path: &std::path::Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).write(true);
    if append {
        opts.append(true);
    } else {
        opts.truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

impl LetterProvider for FolderProvider {
    fn deliver(&self, letter: &Letter) -> Result<(), String> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| "letter folder lock poisoned".to_owned())?;
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut pdf = private_file(&self.dir.join(&letter.filename), false)?;
            pdf.write_all(&letter.pdf)?;
            pdf.sync_data()?;
            let mut index = private_file(&self.dir.join("index.jsonl"), true)?;
            let line = serde_json::json!({
                "to": letter.cpr,
                "case": letter.case_reference,
                "title": letter.title,
                "file": letter.filename,
            });
            writeln!(index, "{line}")?;
            index.sync_data()
        };
        write().map_err(|e| e.to_string())
    }
}

/// A letter as a download.
#[derive(Debug, Clone)]
pub struct LetterFile {
    pub filename: String,
    pub pdf: Vec<u8>,
}

fn render_error(e: skjold_letters::LetterError) -> AppError {
    AppError::Internal(format!("letter: {e}"))
}

/// Which letter answers a case: the access answer for a granted (or partly granted)
/// access request, the decision letter for everything else.
fn answers_with_access(view: &CaseView) -> bool {
    view.summary.kind == RightKind::Access
        && view
            .summary
            .outcome
            .is_some_and(|o| o != skjold_core::rights::Outcome::Refused)
}

impl App {
    /// Uses `provider` for letters to citizens.
    pub fn with_letter_provider(mut self, provider: Arc<dyn LetterProvider>) -> App {
        self.letters = Some(provider);
        self
    }

    fn letter_provider(&self) -> Result<&Arc<dyn LetterProvider>, AppError> {
        self.letters
            .as_ref()
            .ok_or_else(|| AppError::Internal("no letter provider configured".to_owned()))
    }

    fn decision_letter(&self, view: &CaseView) -> Result<DecisionLetter, AppError> {
        let (Some(outcome), Some(decided_at), Some(reasons)) =
            (view.summary.outcome, view.decided_at, view.reasons.clone())
        else {
            return Err(Problem::CaseNotDecided.into());
        };
        Ok(DecisionLetter {
            case_reference: view.summary.reference.clone(),
            controller: view.controller.clone(),
            citizen_name: view.citizen_name.clone().unwrap_or_default(),
            kind: view.summary.kind,
            outcome,
            ground: view.ground.clone(),
            reasons,
            assessment: view.assessment.clone(),
            received_on: view.summary.received_on,
            decided_on: decided_at.local_date(),
            items: view.items.clone(),
            key_gone_by: view.key_gone_by,
        })
    }

    /// The letter answering a case, as it stands: a decided access request's answer (a
    /// draft with other people's data marked until reviewed), or the decision letter.
    pub async fn rights_letter(
        &self,
        actor: &Actor,
        case_id: Uuid,
    ) -> Result<LetterFile, AppError> {
        require(actor, Action::HandleRights)?;
        let view = self.rights_case(actor, case_id).await?;
        self.render_letter(actor, &view).await
    }

    async fn render_letter(&self, actor: &Actor, view: &CaseView) -> Result<LetterFile, AppError> {
        if view.summary.outcome.is_none() {
            return Err(Problem::CaseNotDecided.into());
        }
        let reference = &view.summary.reference;
        if answers_with_access(view) {
            let answer = self.access_answer(actor, view.summary.id).await?;
            let draft = if answer.reviewed { "" } else { "-udkast" };
            Ok(LetterFile {
                filename: format!("{reference}-indsigtssvar{draft}.pdf"),
                pdf: skjold_letters::access_answer(&answer).map_err(render_error)?,
            })
        } else {
            let letter = self.decision_letter(view)?;
            Ok(LetterFile {
                filename: format!("{reference}-afgoerelse.pdf"),
                pdf: skjold_letters::decision(&letter).map_err(render_error)?,
            })
        }
    }

    /// Sends the citizen the answer to a decided case: for access, once the draft has been
    /// reviewed for other people's data. The case is then answered, with the letter's
    /// SHA-256 on record.
    pub async fn send_rights_answer(&self, actor: &Actor, case_id: Uuid) -> Result<(), AppError> {
        require(actor, Action::HandleRights)?;
        let view = self.rights_case(actor, case_id).await?;
        self.answer_case(actor, view).await
    }

    /// Renders and delivers the answer and marks the case answered. A granted erasure
    /// erases between the two: the letter is made while the data can still be read, and
    /// goes out once the citizen's key is destroyed.
    pub(super) async fn answer_case(
        &self,
        actor: &Actor,
        mut view: CaseView,
    ) -> Result<(), AppError> {
        match view.summary.status {
            CaseStatus::Decided => {}
            CaseStatus::Answered => return Err(Problem::CaseAnswered.into()),
            _ => return Err(Problem::CaseNotDecided.into()),
        }
        if answers_with_access(&view) && view.reviewed_by.is_none() {
            return Err(Problem::AnswerNotReviewed.into());
        }
        let erase = view.deletes() && view.erased_at.is_none();
        if erase {
            view.key_gone_by = Some(self.key_backups_gone_by(self.now()));
        }
        let file = self.render_letter(actor, &view).await?;
        if erase {
            self.erase_subject(actor, view.subject_id).await?;
        }
        let title = match view.summary.kind {
            RightKind::Access if answers_with_access(&view) => "Svar på din anmodning om indsigt",
            _ => "Afgørelse om din anmodning",
        };
        self.deliver(&view, title, &file)?;
        Ok(self
            .store()
            .gate()
            .mark_rights_answered(
                actor,
                view.summary.id,
                &file.filename,
                &file.pdf,
                self.now(),
            )
            .await?)
    }

    /// Sends the citizen the notice that the deadline is extended (called as the case is
    /// extended, so before the first deadline).
    pub(super) async fn send_extension_notice(
        &self,
        actor: &Actor,
        case_id: Uuid,
    ) -> Result<(), AppError> {
        let view = self.rights_case(actor, case_id).await?;
        let Some(reason) = view.extension_reason.clone() else {
            return Err(AppError::Internal(
                "an extended case without its reason".to_owned(),
            ));
        };
        let notice = ExtensionNotice {
            case_reference: view.summary.reference.clone(),
            controller: view.controller.clone(),
            citizen_name: view.citizen_name.clone().unwrap_or_default(),
            kind: view.summary.kind,
            received_on: view.summary.received_on,
            first_deadline: view.first_deadline,
            new_deadline: view.summary.due,
            reason,
        };
        let file = LetterFile {
            filename: format!("{}-forlaengelse.pdf", view.summary.reference),
            pdf: skjold_letters::extension(&notice).map_err(render_error)?,
        };
        self.deliver(
            &view,
            "Fristen for svar på din anmodning er forlænget",
            &file,
        )
    }

    fn deliver(&self, view: &CaseView, title: &str, file: &LetterFile) -> Result<(), AppError> {
        let Some(cpr) = view.citizen_cpr.clone() else {
            return Err(Problem::CitizenErased.into());
        };
        self.letter_provider()?
            .deliver(&Letter {
                cpr,
                case_reference: view.summary.reference.clone(),
                title: title.to_owned(),
                filename: file.filename.clone(),
                pdf: file.pdf.clone(),
            })
            .map_err(|e| AppError::Internal(format!("letter delivery: {e}")))
    }
}

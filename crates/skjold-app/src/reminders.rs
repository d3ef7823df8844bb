//! Reminders to citizens by SMS or e-mail (SEC-2): only with consent for the channel, and
//! only about the recipient's own appointment. The text is built here from a fixed
//! template and checked by the guard's scanner, so no other person's data can ride along.
//! Sending goes through a [`ReminderProvider`]: a file provider ships; an SMS gateway
//! plugs in behind the same trait.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use skjold_core::consents::{Channel, ConsentView};
use skjold_core::text::{self, MIN_JUSTIFICATION};
use skjold_core::{Action, Actor, Date, Input, Problem};
use skjold_scrub::Kind;

use crate::{App, AppError, require};

/// The longest place a reminder names.
const MAX_PLACE: usize = 120;

/// Sends one reminder. Implementations must not log the recipient or the text.
pub trait ReminderProvider: Send + Sync {
    fn send(&self, channel: Channel, to: &str, text: &str) -> Result<(), String>;
}

/// Writes reminders as JSON lines to a file (an outbox another system can pick up).
pub struct FileProvider {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileProvider {
    pub fn new(path: impl Into<PathBuf>) -> FileProvider {
        FileProvider {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }
}

impl ReminderProvider for FileProvider {
    fn send(&self, channel: Channel, to: &str, text: &str) -> Result<(), String> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| "outbox lock poisoned".to_owned())?;
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&self.path).map_err(|e| e.to_string())?;
        let line = serde_json::json!({ "channel": channel.key(), "to": to, "text": text });
        writeln!(file, "{line}").map_err(|e| e.to_string())?;
        file.sync_data().map_err(|e| e.to_string())
    }
}

/// The appointment a reminder is about.
#[derive(Debug, Clone)]
pub struct Appointment {
    pub date: Date,
    /// `HH:MM`
    pub time: String,
    /// Where: an address or a room, no names.
    pub place: String,
}

fn valid_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && t[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

impl App {
    /// Uses `provider` for reminders.
    pub fn with_reminder_provider(mut self, provider: Arc<dyn ReminderProvider>) -> App {
        self.reminders = Some(provider);
        self
    }

    pub async fn record_consent(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        channel: &str,
        notice_version: &str,
        evidence: &str,
    ) -> Result<Uuid, AppError> {
        require(actor, Action::WorkCitizen)?;
        let channel = parse_channel(channel)?;
        let notice_version = text::required_line(Input::NoticeVersion, notice_version)?;
        let evidence = text::at_least(Input::Evidence, evidence, MIN_JUSTIFICATION)?;
        Ok(self
            .store()
            .gate()
            .record_consent(
                actor,
                subject_id,
                channel,
                notice_version,
                evidence,
                self.now(),
            )
            .await?)
    }

    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        channel: &str,
    ) -> Result<(), AppError> {
        require(actor, Action::WorkCitizen)?;
        Ok(self
            .store()
            .gate()
            .withdraw_consent(actor, subject_id, parse_channel(channel)?, self.now())
            .await?)
    }

    pub async fn consents(
        &self,
        actor: &Actor,
        subject_id: Uuid,
    ) -> Result<Vec<ConsentView>, AppError> {
        Ok(self
            .store()
            .gate()
            .consents(actor, subject_id, self.now())
            .await?)
    }

    /// Sends a reminder about an appointment on `order_id` to its citizen. Returns the text
    /// that was sent.
    pub async fn send_reminder(
        &self,
        actor: &Actor,
        order_id: Uuid,
        channel: &str,
        appointment: &Appointment,
    ) -> Result<String, AppError> {
        require(actor, Action::WorkOrder)?;
        let channel = parse_channel(channel)?;
        if !valid_time(&appointment.time) {
            return Err(Problem::BadTime.into());
        }
        let place = text::required_line(Input::Place, &appointment.place)?;
        if place.chars().count() > MAX_PLACE {
            return Err(Problem::TooLong {
                input: Input::Place,
                max: MAX_PLACE,
            }
            .into());
        }
        // Only the recipient's own appointment: the place may not name anyone or carry
        // sensitive words.
        let scrubber = self.guard.scrubber(self)?;
        if scrubber.find(place).iter().any(|f| {
            matches!(
                f.kind,
                Kind::Person
                    | Kind::Cpr
                    | Kind::NoId
                    | Kind::Email
                    | Kind::Phone
                    | Kind::Sensitive
                    | Kind::Account
            )
        }) {
            return Err(Problem::ReminderContent.into());
        }
        let Some(provider) = self.reminders.clone() else {
            return Err(Problem::NoReminderProvider.into());
        };
        let text = format!(
            "Påmindelse: Du har en aftale {} kl. {} på {}. Du kan ikke svare på denne besked.",
            appointment.date.danish(),
            appointment.time,
            place
        );
        let to = self
            .store()
            .gate()
            .prepare_reminder(actor, order_id, channel, &text, self.now())
            .await?;
        let sent =
            tokio::task::spawn_blocking(move || provider.send(channel, &to, &text).map(|()| text))
                .await;
        match sent {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(e)) => Err(AppError::Internal(format!("reminder provider: {e}"))),
            Err(e) => Err(AppError::Internal(format!("reminder provider: {e}"))),
        }
    }
}

fn parse_channel(s: &str) -> Result<Channel, AppError> {
    Channel::parse(s).ok_or(AppError::Refused(Problem::BadChannel))
}

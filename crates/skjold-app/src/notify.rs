//! Notices without content (SEC-1): an e-mail that says only that there is a new message
//! in Skjold, with a link — never a name, a CPR number, a subject line or a word of the
//! message. Sent after the message is stored; a notice that fails is logged and does not
//! undo the message.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::AppError;

/// The one text every notice carries.
pub const SUBJECT: &str = "Ny besked i Skjold";

/// How to send notices, if at all.
#[derive(Clone, Default)]
pub enum Notifier {
    #[default]
    Off,
    Smtp(Box<SmtpNotifier>),
}

#[derive(Clone)]
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    link: String,
}

impl SmtpNotifier {
    /// `url` is the relay, `smtp://host[:port]` (port 25 by default), `from` the sender
    /// address and `link` the address of Skjold that the notice points to. The relay is
    /// reached without TLS: use the municipality's local relay, which forwards encrypted.
    /// The notice itself carries nothing confidential.
    pub fn new(url: &str, from: &str, link: &str) -> Result<SmtpNotifier, AppError> {
        let bad = || {
            AppError::invalid(
                "smtp_url",
                format!("ugyldig SMTP-adresse «{url}»: brug smtp://vært[:port]"),
            )
        };
        let rest = url
            .trim()
            .strip_prefix("smtp://")
            .ok_or_else(bad)?
            .trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (rest, 25),
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(bad());
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .build();
        let from = from.parse().map_err(|_| {
            AppError::invalid("smtp_from", format!("ugyldig afsenderadresse «{from}»"))
        })?;
        Ok(SmtpNotifier {
            transport,
            from,
            link: link.trim_end_matches('/').to_owned(),
        })
    }

    fn notice(&self, to: &str) -> Result<Message, String> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| "invalid recipient address".to_owned())?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(SUBJECT)
            .header(ContentType::TEXT_PLAIN)
            .body(format!(
                "Du har en ny besked i Skjold.\n\nLog ind for at læse den: {}/\n\n\
                 Af hensyn til fortroligheden står der intet om beskeden i denne e-mail.\n",
                self.link
            ))
            .map_err(|e| e.to_string())
    }
}

impl Notifier {
    pub fn is_on(&self) -> bool {
        matches!(self, Notifier::Smtp(_))
    }

    /// Sends one notice to each address, in the background.
    pub fn notify(&self, recipients: Vec<String>) {
        let Notifier::Smtp(smtp) = self else { return };
        let smtp = smtp.as_ref().clone();
        tokio::spawn(async move {
            let mut failed = 0usize;
            for to in &recipients {
                let sent = match smtp.notice(to) {
                    Ok(message) => smtp
                        .transport
                        .send(message)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                if let Err(e) = sent {
                    failed += 1;
                    tracing::warn!(error.detail = %e, "a new-message notice could not be sent");
                }
            }
            if failed > 0 {
                tracing::warn!(
                    failed,
                    total = recipients.len(),
                    "new-message notices failed"
                );
            }
        });
    }
}

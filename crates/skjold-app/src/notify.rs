//! Notices without content (SEC-1): an e-mail that says only that there is a new message
//! in Skjold, with a link — never a name, a CPR number, a subject line or a word of the
//! message. Sent after the message is stored; a notice that fails is logged and does not
//! undo the message.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use skjold_core::Problem;

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

#[derive(Clone, Copy)]
enum Mode {
    Wrapper,
    StartTls,
    Plain,
}

impl Mode {
    fn default_port(self) -> u16 {
        match self {
            Mode::Wrapper => 465,
            Mode::StartTls => 587,
            Mode::Plain => 25,
        }
    }
}

#[derive(Clone)]
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    link: String,
}

impl SmtpNotifier {
    /// `url` is the relay:
    /// - `smtps://host[:port]`: TLS from the first byte (port 465 by default);
    /// - `smtp+starttls://host[:port]`: STARTTLS, required (port 587 by default);
    /// - `smtp://host[:port]`: no TLS (port 25 by default), only for a local relay that
    ///   forwards encrypted. The notice itself carries nothing confidential.
    ///
    /// With TLS the relay's certificate is checked against the public roots, plus
    /// `extra_root` (PEM), for a municipality's own certificate authority.
    /// `from` is the sender address and `link` the address of Skjold the notice points to.
    pub fn new(
        url: &str,
        from: &str,
        link: &str,
        extra_root: Option<&[u8]>,
    ) -> Result<SmtpNotifier, AppError> {
        let bad = || AppError::Refused(Problem::SmtpUrl(url.to_owned()));
        let url = url.trim();
        let (mode, rest) = [
            ("smtps://", Mode::Wrapper),
            ("smtp+starttls://", Mode::StartTls),
            ("smtp://", Mode::Plain),
        ]
        .into_iter()
        .find_map(|(scheme, mode)| url.strip_prefix(scheme).map(|rest| (mode, rest)))
        .ok_or_else(bad)?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (rest, mode.default_port()),
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(bad());
        }
        let tls = || {
            let bad_tls = |e: lettre::transport::smtp::Error| {
                AppError::Refused(Problem::SmtpTls(e.to_string()))
            };
            let mut params = TlsParameters::builder(host.to_owned());
            if let Some(pem) = extra_root {
                // The parser skips what is not a certificate; an empty root set is an error.
                if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                    return Err(AppError::Refused(Problem::SmtpTls(
                        "the root certificate is not a PEM certificate".into(),
                    )));
                }
                params = params.add_root_certificate(Certificate::from_pem(pem).map_err(bad_tls)?);
            }
            params.build_rustls().map_err(bad_tls)
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
        let transport = match mode {
            Mode::Plain => builder,
            Mode::StartTls => builder.tls(Tls::Required(tls()?)),
            Mode::Wrapper => builder.tls(Tls::Wrapper(tls()?)),
        }
        .build();
        let from = from
            .parse()
            .map_err(|_| AppError::Refused(Problem::SmtpFrom(from.to_owned())))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<SmtpNotifier, AppError>) -> Option<&'static str> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn relay_addresses_are_checked() {
        let new = |url: &str| SmtpNotifier::new(url, "skjold@kommune.example", "https://s", None);
        for ok in [
            "smtps://relay.kommune.example",
            "smtps://relay.kommune.example:2465",
            "smtp+starttls://relay.kommune.example",
            "smtp://127.0.0.1:2525/",
        ] {
            assert!(new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "relay.kommune.example",
            "http://relay",
            "smtps://",
            "smtps://user@relay",
            "smtp://relay:port",
        ] {
            assert_eq!(code(new(bad)), Some("smtp_url"), "{bad}");
        }
        assert_eq!(
            code(SmtpNotifier::new(
                "smtps://relay",
                "skjold@kommune.example",
                "https://s",
                Some(b"not a certificate")
            )),
            Some("smtp_tls")
        );
        assert_eq!(
            code(SmtpNotifier::new(
                "smtp://relay",
                "ikke en adresse",
                "https://s",
                None
            )),
            Some("smtp_from")
        );
    }
}

//! Secure messages and data requests: validation at the edge and the guard's scan, then
//! one call into the gate.

use std::sync::{Arc, OnceLock};

use uuid::Uuid;

use skjold_scrub::{Config, Kind, Scrubber};
use skjold_store::Actor;
use skjold_store::gate::{
    AttachmentFile, GeneralThreadSummary, GeneralThreadView, GuardFindings, NewAttachment,
    OpenRequest, OutgoingMessage, ThreadView,
};

use crate::extract::Extracted;
use crate::ops::parse_field;
use crate::{App, AppError};

/// The longest message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 20_000;
/// The largest attachment accepted, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The most attachments on one message.
pub const MAX_ATTACHMENTS: usize = 5;

/// A file as uploaded: the sender's name for it and its bytes. Nothing else is trusted.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The file types a message may carry, by the type sniffed from the content, with the
/// extensions a file of that type may have. Anything that could run in a browser (HTML,
/// SVG, scripts) or on a desktop (executables, macro formats) is refused.
const ALLOWED: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("text/plain", &["txt", "csv"]),
];

/// A file name safe to store and to offer for download: the last path component, letters
/// (Danish included), digits, space, dot, dash and underscore; at most 100 characters.
pub fn sanitise_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_matches(|c| c == '.' || c == ' ').to_owned();
    let clean: String = clean
        .chars()
        .rev()
        .take(100)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if clean.is_empty() {
        "vedhaeftning".to_owned()
    } else {
        clean
    }
}

/// The content type of `bytes`, judged from the bytes alone.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        return ALLOWED
            .iter()
            .map(|(t, _)| *t)
            .find(|t| *t == kind.mime_type());
    }
    // Plain text: UTF-8 without NUL, and not markup a browser would run.
    let text = std::str::from_utf8(bytes).ok()?;
    let head = text.trim_start().get(..1).unwrap_or("");
    (!text.contains('\0') && head != "<").then_some("text/plain")
}

/// Checks an upload: size, a known type from its content, and a name whose extension
/// matches that type (a renamed file is refused).
pub fn check_upload(upload: &Upload) -> Result<NewAttachment, AppError> {
    let filename = sanitise_filename(&upload.filename);
    if upload.bytes.is_empty() {
        return Err(AppError::invalid(
            "attachment_empty",
            format!("filen «{filename}» er tom"),
        ));
    }
    if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::invalid(
            "attachment_too_large",
            format!(
                "filen «{filename}» er større end {} MB",
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ),
        ));
    }
    let Some(content_type) = sniff(&upload.bytes) else {
        return Err(AppError::invalid(
            "attachment_type",
            format!(
                "filen «{filename}» har en type, der ikke kan sendes (tilladt: PDF, PNG, JPEG, DOCX, XLSX, ODT og tekst)"
            ),
        ));
    };
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let fits = ALLOWED
        .iter()
        .any(|(t, exts)| *t == content_type && exts.contains(&extension.as_str()));
    if !fits {
        return Err(AppError::invalid(
            "attachment_disguised",
            format!("filen «{filename}» er ikke, hvad navnet siger (indholdet er {content_type})"),
        ));
    }
    Ok(NewAttachment {
        filename,
        content_type: content_type.to_owned(),
        bytes: upload.bytes.clone(),
    })
}

/// The scrubber the guard uses, built once (its patterns take a few milliseconds).
#[derive(Clone, Default)]
pub(crate) struct Guard(Arc<OnceLock<Result<Scrubber, String>>>);

impl Guard {
    pub(crate) fn scrubber(&self, app: &App) -> Result<&Scrubber, AppError> {
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
    /// What the guard sees in a text: CPR numbers (as the scrubber knows them, and in every
    /// other written form: dots, spaces, full-width digits) and special-category or
    /// criminal terms.
    pub fn guard_findings(&self, text: &str) -> Result<GuardFindings, AppError> {
        let mut findings = GuardFindings::default();
        self.scan_into(text, &mut findings)?;
        Ok(findings)
    }

    fn scan_into(&self, text: &str, findings: &mut GuardFindings) -> Result<(), AppError> {
        let scrubber = self.guard.scrubber(self)?;
        let mut cprs = 0;
        for f in scrubber.find(text) {
            match f.kind {
                Kind::Cpr | Kind::NoId => cprs += 1,
                Kind::Sensitive => {
                    let term = text.get(f.start..f.end).unwrap_or_default().to_lowercase();
                    if !findings.sensitive_terms.contains(&term) {
                        findings.sensitive_terms.push(term);
                    }
                }
                _ => {}
            }
        }
        findings.cpr_numbers += cprs.max(skjold_core::ids::find_cpr_numbers(text).len());
        Ok(())
    }

    /// What the guard sees in a message and its attachments: each file's text is read
    /// and scanned like the body; a file whose text cannot be read is named.
    async fn guard_message(
        &self,
        body: &str,
        attachments: &[NewAttachment],
    ) -> Result<GuardFindings, AppError> {
        let mut findings = self.guard_findings(body)?;
        // Reading a document is work for a blocking thread, not the request's.
        let files: Vec<(String, Vec<u8>)> = attachments
            .iter()
            .map(|a| (a.content_type.clone(), a.bytes.clone()))
            .collect();
        let texts = tokio::task::spawn_blocking(move || {
            files
                .iter()
                .map(|(content_type, bytes)| crate::extract::text_of(content_type, bytes))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| AppError::Internal(format!("reading attachments: {e}")))?;
        for (a, extracted) in attachments.iter().zip(texts) {
            match extracted {
                Extracted::Text(text) => {
                    self.scan_into(&text, &mut findings)?;
                    findings.attachment_text.push_str(&text);
                    findings.attachment_text.push('\n');
                }
                Extracted::Unreadable => findings.unreadable.push(a.filename.clone()),
            }
        }
        Ok(findings)
    }

    pub async fn thread(&self, actor: &Actor, order_id: Uuid) -> Result<ThreadView, AppError> {
        Ok(self.store.thread(actor, order_id, self.now()).await?)
    }

    /// Sends a message without attachments.
    pub async fn send_message(
        &self,
        actor: &Actor,
        order_id: Uuid,
        body: &str,
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        self.send_message_with(actor, order_id, body, &[], confirmation)
            .await
    }

    /// Sends a message on an order's thread; see the gate for the guard's rules. Every
    /// attachment is checked before anything is stored.
    pub async fn send_message_with(
        &self,
        actor: &Actor,
        order_id: Uuid,
        body: &str,
        uploads: &[Upload],
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        let (body, attachments, findings) = self.check_outgoing(actor, body, uploads).await?;
        let message = OutgoingMessage {
            body,
            attachments: &attachments,
            confirmation,
        };
        let id = self
            .store
            .post_message(actor, order_id, &message, &findings, self.now())
            .await?;
        if self.notifier.is_on() {
            let recipients = self.store.notification_recipients(actor, order_id).await?;
            self.notifier.notify(recipients);
        }
        Ok(id)
    }

    /// Checks a message before anything is stored: its length, every attachment, and
    /// what the guard finds in it. The guard stops what the municipality discloses; a
    /// supplier writing to the municipality discloses nothing, so its messages are not
    /// scanned.
    async fn check_outgoing<'b>(
        &self,
        actor: &Actor,
        body: &'b str,
        uploads: &[Upload],
    ) -> Result<(&'b str, Vec<NewAttachment>, GuardFindings), AppError> {
        if uploads.len() > MAX_ATTACHMENTS {
            return Err(AppError::invalid(
                "too_many_attachments",
                format!("højst {MAX_ATTACHMENTS} vedhæftninger pr. besked"),
            ));
        }
        let attachments = uploads
            .iter()
            .map(check_upload)
            .collect::<Result<Vec<_>, _>>()?;
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
        let findings = if actor.role == skjold_core::Role::Caseworker {
            self.guard_message(body, &attachments).await?
        } else {
            GuardFindings::default()
        };
        Ok((body, attachments, findings))
    }

    /// The user's general threads with suppliers (or, for a supplier, municipalities).
    pub async fn general_threads(
        &self,
        actor: &Actor,
    ) -> Result<Vec<GeneralThreadSummary>, AppError> {
        Ok(self.store.general_threads(actor, self.now()).await?)
    }

    pub async fn general_thread(
        &self,
        actor: &Actor,
        counterpart: Uuid,
    ) -> Result<GeneralThreadView, AppError> {
        Ok(self
            .store
            .general_thread(actor, counterpart, self.now())
            .await?)
    }

    /// Sends a message on the general thread with `counterpart`; checked like a message
    /// on an order's thread.
    pub async fn send_general_message(
        &self,
        actor: &Actor,
        counterpart: Uuid,
        body: &str,
        uploads: &[Upload],
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        let (body, attachments, findings) = self.check_outgoing(actor, body, uploads).await?;
        let message = OutgoingMessage {
            body,
            attachments: &attachments,
            confirmation,
        };
        let id = self
            .store
            .post_general_message(actor, counterpart, &message, &findings, self.now())
            .await?;
        if self.notifier.is_on() {
            let recipients = self
                .store
                .general_notification_recipients(actor, counterpart)
                .await?;
            self.notifier.notify(recipients);
        }
        Ok(id)
    }

    pub async fn general_attachment(
        &self,
        actor: &Actor,
        attachment_id: Uuid,
    ) -> Result<AttachmentFile, AppError> {
        Ok(self
            .store
            .general_attachment(actor, attachment_id, self.now())
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

    pub async fn attachment(
        &self,
        actor: &Actor,
        attachment_id: Uuid,
    ) -> Result<AttachmentFile, AppError> {
        Ok(self
            .store
            .attachment(actor, attachment_id, self.now())
            .await?)
    }

    pub async fn open_requests(&self, actor: &Actor) -> Result<Vec<OpenRequest>, AppError> {
        Ok(self.store.open_requests(actor).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, bytes: &[u8]) -> Result<NewAttachment, AppError> {
        check_upload(&Upload {
            filename: name.into(),
            bytes: bytes.to_vec(),
        })
    }

    #[test]
    fn filenames_are_made_safe() {
        assert_eq!(sanitise_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitise_filename("C:\\Users\\x\\cv Søren.pdf"),
            "cv Søren.pdf"
        );
        assert_eq!(sanitise_filename("a\"b<c>.txt"), "a_b_c_.txt");
        assert_eq!(sanitise_filename("..."), "vedhaeftning");
        assert_eq!(
            sanitise_filename(&format!("{}.pdf", "x".repeat(300)))
                .chars()
                .count(),
            100
        );
    }

    #[test]
    fn uploads_are_judged_by_their_content() {
        let pdf = b"%PDF-1.7\n1 0 obj\n";
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(
            upload("plan.pdf", pdf)
                .map(|a| a.content_type)
                .ok()
                .as_deref(),
            Some("application/pdf")
        );
        assert_eq!(
            upload("billede.PNG", png)
                .map(|a| a.content_type)
                .ok()
                .as_deref(),
            Some("image/png")
        );
        assert_eq!(
            upload("noter.txt", "Møde tirsdag".as_bytes())
                .map(|a| a.content_type)
                .ok()
                .as_deref(),
            Some("text/plain")
        );
        assert_eq!(
            upload("plan.pdf", png).map_err(|e| e.code()).err(),
            Some("attachment_disguised")
        );
        assert_eq!(
            upload("side.txt", b"<html><script>alert(1)</script>")
                .map_err(|e| e.code())
                .err(),
            Some("attachment_type")
        );
        assert_eq!(
            upload("prog.exe", b"MZ\x90\0\x03\0\0\0")
                .map_err(|e| e.code())
                .err(),
            Some("attachment_type")
        );
        assert_eq!(
            upload("tom.txt", b"").map_err(|e| e.code()).err(),
            Some("attachment_empty")
        );
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(
            upload("stor.txt", &big).map_err(|e| e.code()).err(),
            Some("attachment_too_large")
        );
    }
}

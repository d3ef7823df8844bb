//! Attachments as uploaded: judged by their content, never by their name or the type the
//! sender claims. A file whose name lies about its content is refused, names are made safe
//! to store and to offer for download, and sizes are bounded.

use skjold_core::Problem;
use skjold_core::threads::NewAttachment;

use crate::AppError;

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
        return Err(Problem::AttachmentEmpty(filename).into());
    }
    if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Problem::AttachmentTooLarge {
            name: filename,
            max_mb: MAX_ATTACHMENT_BYTES / (1024 * 1024),
        }
        .into());
    }
    let Some(content_type) = sniff(&upload.bytes) else {
        return Err(Problem::AttachmentType(filename).into());
    };
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let fits = ALLOWED
        .iter()
        .any(|(t, exts)| *t == content_type && exts.contains(&extension.as_str()));
    if !fits {
        return Err(Problem::AttachmentDisguised {
            name: filename,
            content_type: content_type.to_owned(),
        }
        .into());
    }
    Ok(NewAttachment {
        filename,
        content_type: content_type.to_owned(),
        bytes: upload.bytes.clone(),
    })
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

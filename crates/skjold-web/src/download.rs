//! Files handed out as downloads: attachments and access-log exports.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `bytes` as a download (`Content-Disposition: attachment`) named `filename`, with the
/// file's sniffed `content_type`. The name is given both as ASCII and in UTF-8 (RFC 6266).
pub(crate) fn download(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_');
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii() && safe(c as u8) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if safe(b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

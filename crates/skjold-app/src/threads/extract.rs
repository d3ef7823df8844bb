//! The text of an attachment, for the guard: what a caseworker's file would disclose.
//!
//! PDF (its text layer), DOCX and ODT (paragraphs, headers, footers, notes), XLSX (cell
//! texts and values) and plain text. A file whose text cannot be read — an image, a scan
//! without a text layer, a damaged document — is [`Extracted::Unreadable`]: the guard
//! cannot vouch for it, so sending it needs the same written confirmation as a finding.
//!
//! Office files are zip archives: each part is read through a size limit, so a small file
//! that unpacks to gigabytes (a zip bomb) stops at the limit and counts as unreadable.

use std::io::Read;

use quick_xml::events::Event;
use skjold_scrub::ubl::well_formed::entity_char;

/// The most text taken from one file (the guard scans it all).
const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// The most bytes unpacked from one part of an office file.
const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    Text(String),
    Unreadable,
}

/// The text of a file of `content_type` (as sniffed from its bytes).
pub fn text_of(content_type: &str, bytes: &[u8]) -> Extracted {
    let text = match content_type {
        "text/plain" => std::str::from_utf8(bytes).ok().map(str::to_owned),
        "application/pdf" => pdf_text(bytes),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            zip_text(bytes, |name| {
                name == "word/document.xml"
                    || (name.starts_with("word/")
                        && name.ends_with(".xml")
                        && ["header", "footer", "footnotes", "endnotes", "comments"]
                            .iter()
                            .any(|p| name[5..].starts_with(p)))
            })
        }
        "application/vnd.oasis.opendocument.text" => {
            zip_text(bytes, |name| name == "content.xml" || name == "styles.xml")
        }
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            zip_text(bytes, |name| {
                name == "xl/sharedStrings.xml"
                    || (name.starts_with("xl/worksheets/") && name.ends_with(".xml"))
            })
        }
        _ => None,
    };
    match text {
        // A text file says what it says, empty or not; an empty text layer is a scan.
        Some(t) if content_type == "text/plain" || !t.trim().is_empty() => Extracted::Text(t),
        _ => Extracted::Unreadable,
    }
}

/// A PDF's text layer. The parser is run so that a malformed file that makes it panic
/// counts as unreadable rather than ending the request.
fn pdf_text(bytes: &[u8]) -> Option<String> {
    let owned = bytes.to_vec();
    std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&owned).ok())
        .ok()
        .flatten()
        .map(|mut t| {
            truncate(&mut t);
            t
        })
}

fn truncate(t: &mut String) {
    if t.len() > MAX_TEXT_BYTES {
        let mut end = MAX_TEXT_BYTES;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
    }
}

/// The text of the XML parts of a zip archive that `wanted` names, in archive order.
fn zip_text(bytes: &[u8], wanted: impl Fn(&str) -> bool) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut text = String::new();
    let mut found = false;
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).ok()?;
        let Ok(name) = part.name() else {
            return None;
        };
        if !wanted(&name) {
            continue;
        }
        found = true;
        let mut xml = Vec::new();
        let read = (&mut part)
            .take(MAX_PART_BYTES + 1)
            .read_to_end(&mut xml)
            .ok()?;
        if read as u64 > MAX_PART_BYTES {
            return None;
        }
        xml_text(&xml, &mut text)?;
        text.push('\n');
        if text.len() > MAX_TEXT_BYTES {
            truncate(&mut text);
            break;
        }
    }
    found.then_some(text)
}

/// Appends the character data of an office XML part to `out`: runs of one paragraph run
/// together (a number split over runs stays whole), paragraphs end with a line break,
/// table cells with a tab.
fn xml_text(xml: &[u8], out: &mut String) -> Option<()> {
    // Office XML is UTF-8; anything else is not a document we can read.
    let xml = std::str::from_utf8(xml).ok()?;
    let mut reader = quick_xml::Reader::from_str(xml.strip_prefix('\u{feff}').unwrap_or(xml));
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => out.push_str(&t.xml10_content()),
            Ok(Event::CData(c)) => out.push_str(&c.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                // Entity references (&amp;, &#246;) between pieces of text.
                out.extend(entity_char(&r));
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "p" | "h" | "tr" | "row" | "si" => out.push('\n'),
                "tc" | "c" | "table-cell" => out.push('\t'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" | "line-break" => out.push('\n'),
                "s" => out.push(' '),
                _ => {}
            },
            Ok(Event::DocType(_)) | Err(_) => return None,
            Ok(Event::Eof) => return Some(()),
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_xml_keeps_runs_together_and_breaks_paragraphs() {
        let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>CPR 070761-</w:t></w:r><w:r><w:t>4285</w:t></w:r></w:p><w:p><w:r><w:t>har diabetes &amp; angst</w:t></w:r><w:r><w:tab/><w:t>x</w:t></w:r></w:p></w:body></w:document>"#;
        let mut out = String::new();
        xml_text(xml, &mut out).expect("parses");
        assert_eq!(out, "CPR 070761-4285\nhar diabetes & angst\tx\n");
    }

    #[test]
    fn doctypes_and_garbage_are_unreadable() {
        let mut out = String::new();
        assert!(xml_text(b"<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", &mut out).is_none());
        assert_eq!(
            text_of("application/pdf", b"%PDF-1.7 nonsense"),
            Extracted::Unreadable
        );
        assert_eq!(
            text_of(
                "application/vnd.oasis.opendocument.text",
                b"PK\x03\x04broken"
            ),
            Extracted::Unreadable
        );
        assert_eq!(text_of("image/png", b"\x89PNG"), Extracted::Unreadable);
        assert_eq!(
            text_of("text/plain", "Møde tirsdag".as_bytes()),
            Extracted::Text("Møde tirsdag".into())
        );
        assert_eq!(
            text_of("text/plain", b"  \n "),
            Extracted::Text("  \n ".into())
        );
    }
}

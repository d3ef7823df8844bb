//! A well-formedness check with the same reader the scrubber uses.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use crate::error::{Error, ErrorKind};

/// The character an entity reference between pieces of text stands for: a character
/// reference (`&#246;`) or one of XML's five predefined entities (`&amp;`…); none for any
/// other, which needs a DTD and is refused.
pub fn entity_char(r: &BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => match r.xml10_content().as_ref() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
        Err(_) => None,
    }
}

/// Checks that `xml` is well-formed as far as this module's reader can tell (matched
/// tags, valid attributes, only predefined entities, no DTD). Used by tests and by
/// callers that want to verify output.
pub fn check_well_formed(xml: &[u8]) -> Result<(), Error> {
    let text =
        std::str::from_utf8(xml).map_err(|e| Error::with_source(ErrorKind::NotUtf8, "", e))?;
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event().map_err(|e| xml_error(&reader, e))? {
            Event::Start(s) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
                for a in s.attributes() {
                    a.map_err(|e| {
                        Error::with_source(
                            ErrorKind::Xml {
                                position: reader.buffer_position(),
                            },
                            "bad attribute",
                            e,
                        )
                    })?;
                }
            }
            Event::Empty(_) if depth == 0 => roots += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => return Err(Error::new(ErrorKind::DtdRejected, "")),
            Event::GeneralRef(r) if entity_char(&r).is_none() => {
                return Err(Error::new(ErrorKind::UnknownEntity, ""));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(Error::new(
            ErrorKind::Xml {
                position: text.len() as u64,
            },
            "unclosed elements",
        ));
    }
    if roots != 1 {
        return Err(Error::new(
            ErrorKind::NoRoot,
            "expected exactly one root element",
        ));
    }
    Ok(())
}

pub(super) fn xml_error(reader: &Reader<&[u8]>, e: quick_xml::Error) -> Error {
    Error::with_source(
        ErrorKind::Xml {
            position: reader.error_position(),
        },
        "",
        e,
    )
}

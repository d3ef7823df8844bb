//! The first step of every invoice (INV-2): the scrubber replaces personal data with a code
//! by type, and only then is the document read. Nothing downstream ever sees the raw
//! bytes; what the scrubber was unsure of is named, so the document can wait for a
//! reviewer before it enters the analyses.

use skjold_core::invoices::document::Document;
use skjold_core::invoices::review::ReviewReason;
use skjold_scrub::Scrubber;
use skjold_scrub::ubl::UblAction;

use super::read::{ReadError, read};

/// A document after its first step.
#[derive(Debug, Clone)]
pub struct Anonymised {
    /// The anonymised XML (what the analyses and exports may hold).
    pub xml: Vec<u8>,
    /// The anonymised document, read.
    pub document: Document,
    /// How many places the scrubber replaced something.
    pub replaced: usize,
    /// Empty when the document can go straight into the analyses.
    pub review: Vec<ReviewReason>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnonymiseError {
    #[error("dokumentet kunne ikke anonymiseres: {0}")]
    Scrub(#[from] skjold_scrub::Error),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("dokumentet er ikke UTF-8")]
    NotUtf8,
}

/// Anonymises one UBL document and reads what is left.
pub fn anonymise(scrubber: &Scrubber, raw: &[u8]) -> Result<Anonymised, AnonymiseError> {
    let out = scrubber.scrub_ubl(raw)?;
    let text = std::str::from_utf8(&out.xml).map_err(|_| AnonymiseError::NotUtf8)?;
    let document = read(text)?;
    let mut review: Vec<ReviewReason> = out
        .replacements
        .iter()
        .filter_map(|r| match &r.action {
            UblAction::Scanned(kinds) if !kinds.is_empty() => {
                Some(ReviewReason::PersonalDataInFreeText {
                    xpath: r.xpath.clone(),
                    kinds: kinds.iter().map(|k| k.label().to_owned()).collect(),
                })
            }
            _ => None,
        })
        .collect();
    if document
        .declared_line_total
        .is_some_and(|declared| declared != document.line_total())
    {
        review.push(ReviewReason::LinesDoNotAddUp);
    }
    Ok(Anonymised {
        replaced: out.replacements.len(),
        xml: out.xml,
        document,
        review,
    })
}

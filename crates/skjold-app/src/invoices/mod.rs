//! The procurement-data collaboration (INV-1 … INV-4): invoices in, anonymised, analysed.
//!
//! - [`anonymise`]: the first step: the scrubber replaces personal data, and only the
//!   anonymised document is read; what it was unsure of sends the document to review.
//! - [`read`]: a UBL invoice or credit note (OIOUBL, PEPPOL BIS 3, EHF) read into the
//!   analyses' [`Document`](skjold_core::invoices::document::Document).
//!
//! The rules on what figures may leave an organisation are core's
//! ([`skjold_core::invoices::sharing`]).

pub mod anonymise;
pub mod read;

#[cfg(test)]
mod tests;

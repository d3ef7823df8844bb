//! The procurement-data collaboration (INV-1 … INV-4): invoices in, anonymised, analysed.
//!
//! - [`read`]: a UBL invoice or credit note (OIOUBL, PEPPOL BIS 3, EHF) read into the
//!   analyses' [`Document`](skjold_core::invoices::document::Document).
//!
//! The rules on what figures may leave an organisation are core's
//! ([`skjold_core::invoices::sharing`]).

pub mod read;

#[cfg(test)]
mod tests;

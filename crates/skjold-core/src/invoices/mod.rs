//! The procurement-data collaboration (REQUIREMENTS INV-1 … INV-4, INV-13): municipalities
//! send their e-invoices to an analysis service, which anonymises them first and builds
//! spend analyses for each of them.
//!
//! This room holds the collaboration's rules, pure like the rest of core:
//!
//! - [`document`]: an invoice or credit note as the analyses read it: its parties, lines,
//!   amounts, classifications and reported emissions.
//! - [`category`]: spend categories from UNSPSC and CPV codes, and the share of spend
//!   they classify.
//! - [`sharing`]: which cross-organisation figures may be released (minimum cells, no
//!   organisation dominating a cell, complementary suppression so that no suppressed cell
//!   can be worked out by differencing released ones).
//!
//! - [`report`]: one organisation's spend analysis, with the collaboration's average as
//!   the sharing rules release it.
//! - [`review`]: the manual step for documents the scrubber was unsure of.
//!
//! It never reads an invoice or touches a database: parsing is the app's, storage the
//! store's, anonymisation the scrubber's.

pub mod category;
pub mod document;
pub mod report;
pub mod review;
pub mod sharing;

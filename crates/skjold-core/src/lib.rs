//! Skjold's vocabulary and rules, by feature.
//!
//! Everything here is pure: no I/O, no async, no clock. Time is always a parameter
//! (DESIGN.md wall 6), so every rule is tested with fixed dates. The same feature names
//! recur in every layer: a rule about orders is in [`orders`] here, its queries in the
//! store's `gate/orders.rs`, its use cases in the app's `orders.rs`, its pages and API in
//! the web's `pages/orders.rs` and `api/orders.rs`.
//!
//! - [`actor`]: who acts, and the role × action table every layer asks.
//! - [`error`]: the catalogue of refusals, as codes with parameters (the words are the
//!   web's).
//! - [`text`], [`ids`], [`time`]: checked input: bounded free text and written reasons, CPR
//!   and CVR numbers, dates and instants.
//! - [`taxonomy`], [`legal`]: kinds of personal data and their sensitivity; legal bases.
//! - [`citizens`], [`consents`], [`orders`], [`disclosures`], [`threads`],
//!   [`data_requests`], [`access`], [`oversight`]: the supplier platform's features;
//!   [`paging`]: how their long lists are paged.
//! - [`rights`]: the data-subject rights, their question model and deadlines;
//!   [`citizen_view`]: the citizen's own view of them and of their data.
//! - [`directory`], [`catalogue`], [`sign_in`], [`access_review`]: who there is, what is
//!   offered, and how people get in.
//! - The privacy officer's desk: [`records`] (records of processing, art. 30),
//!   [`processors`] (DPAs, sub-processors, transfers, audits), [`breaches`] (art. 33–34)
//!   and [`retention`] (rules that run, deletion receipts).
//! - [`invoices`]: the procurement-data collaboration's rules (what figures may leave an
//!   organisation).

pub mod access;
pub mod access_review;
pub mod actor;
pub mod breaches;
pub mod catalogue;
pub mod citizen_view;
pub mod citizens;
pub mod consents;
pub mod data_requests;
pub mod directory;
pub mod disclosures;
pub mod error;
pub mod ids;
pub mod invoices;
pub mod legal;
pub mod orders;
pub mod oversight;
pub mod paging;
pub mod processors;
pub mod records;
pub mod retention;
pub mod rights;
pub mod sign_in;
pub mod taxonomy;
pub mod text;
pub mod threads;
pub mod time;

pub use actor::{Action, Actor, OrgKind, Role, may};
pub use disclosures::{DisclosurePlan, DisclosureRule, ServicePolicy};
pub use error::{Input, Problem, ProblemKind};
pub use ids::{Cpr, Cvr, IdError};
pub use legal::{Art6Basis, Art9Basis, LegalBasis};
pub use taxonomy::{Category, FieldKey, Sensitivity};
pub use time::{Date, Timestamp};

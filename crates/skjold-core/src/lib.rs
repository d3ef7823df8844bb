//! Skjold's vocabulary and rules.
//!
//! Everything here is pure: no I/O, no async, no clock. Time is always a parameter
//! (DESIGN.md wall 6), so every rule is tested with fixed dates.

pub mod access;
pub mod ids;
pub mod legal;
pub mod policy;
pub mod role;
pub mod taxonomy;
pub mod time;

pub use ids::{Cpr, Cvr, IdError};
pub use legal::{Art6Basis, Art9Basis, LegalBasis};
pub use policy::{DisclosurePlan, DisclosureRule, PolicyError, ServicePolicy};
pub use role::Role;
pub use taxonomy::{Category, FieldKey, Sensitivity};
pub use time::{Date, Timestamp};

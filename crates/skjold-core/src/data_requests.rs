//! A supplier's request for more fields (LP-5), and the caseworker's decision.

use serde::Serialize;
use uuid::Uuid;

use crate::error::{Input, Problem};
use crate::taxonomy::FieldKey;
use crate::text::{self, Justification, MAX_TEXT};
use crate::time::Timestamp;

#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: Uuid,
    pub fields: Vec<FieldKey>,
    pub reason: String,
    pub requested_by: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    /// The citizen's data was erased: the reasons, sealed under the citizen's key, are
    /// empty here.
    pub erased: bool,
}

impl RequestView {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    pub fn status_danish(&self) -> &'static str {
        match self.status.as_str() {
            "approved" => "Godkendt",
            "rejected" => "Afvist",
            _ => "Afventer sagsbehandler",
        }
    }
}

/// An open data request, for the caseworker's start page. No personal data.
#[derive(Debug, Clone, Serialize)]
pub struct OpenRequest {
    pub id: Uuid,
    pub order_id: Uuid,
    pub order_reference: String,
    pub supplier_name: String,
    pub fields: Vec<FieldKey>,
    pub created_at: Timestamp,
}

/// A caseworker's decision on a data request: an approval may carry a remark, a rejection
/// carries a written reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve(Option<String>),
    Reject(Justification),
}

impl Decision {
    /// The decision from a form: `approve` or not, and the text typed with it.
    pub fn parse(approve: bool, text: &str) -> Result<Decision, Problem> {
        if approve {
            let remark = text::text(Input::Note, text, MAX_TEXT)?;
            Ok(Decision::Approve(
                Some(remark.to_owned()).filter(|r| !r.is_empty()),
            ))
        } else {
            Justification::parse(Input::RejectionReason, text).map(Decision::Reject)
        }
    }

    pub fn approves(&self) -> bool {
        matches!(self, Decision::Approve(_))
    }

    /// The remark or reason, empty when an approval has none.
    pub fn text(&self) -> &str {
        match self {
            Decision::Approve(remark) => remark.as_deref().unwrap_or(""),
            Decision::Reject(why) => why.as_str(),
        }
    }
}

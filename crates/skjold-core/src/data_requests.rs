//! A supplier's request for more fields (LP-5), and the caseworker's decision on each field
//! of it: approved fields are disclosed, rejected ones carry a written reason.

use serde::Serialize;
use uuid::Uuid;

use crate::error::{Input, Problem};
use crate::taxonomy::FieldKey;
use crate::text::{self, Justification, MAX_TEXT};
use crate::time::Timestamp;

/// Where a data request stands: open until decided, then approved, partly approved or
/// rejected by what was decided on its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RequestStatus {
    Open,
    Approved,
    PartlyApproved,
    Rejected,
}

impl RequestStatus {
    /// The key stored and sent by the API.
    pub fn key(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Approved => "approved",
            RequestStatus::PartlyApproved => "partly_approved",
            RequestStatus::Rejected => "rejected",
        }
    }

    pub fn parse(key: &str) -> Option<RequestStatus> {
        [
            RequestStatus::Open,
            RequestStatus::Approved,
            RequestStatus::PartlyApproved,
            RequestStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }

    pub fn danish(self) -> &'static str {
        match self {
            RequestStatus::Open => "Afventer sagsbehandler",
            RequestStatus::Approved => "Godkendt",
            RequestStatus::PartlyApproved => "Delvist godkendt",
            RequestStatus::Rejected => "Afvist",
        }
    }
}

/// What was decided on one requested field, as shown to the supplier and the caseworker.
#[derive(Debug, Clone, Serialize)]
pub struct FieldOutcome {
    pub field: FieldKey,
    pub approved: bool,
    /// The caseworker's reason for a rejection, or remark on an approval; `None` when an
    /// approval has none, or the citizen was erased.
    pub reason: Option<String>,
    /// The field is in the disclosure ledger of the order (an approved field of which the
    /// citizen has no value is not).
    pub disclosed: bool,
}

impl FieldOutcome {
    pub fn danish(&self) -> &'static str {
        match (self.approved, self.disclosed) {
            (true, true) => "Godkendt og videregivet",
            (true, false) => "Godkendt, men ikke videregivet: borgeren har ingen sådan oplysning",
            (false, _) => "Afvist",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: Uuid,
    pub fields: Vec<FieldKey>,
    pub reason: String,
    pub requested_by: String,
    /// `open`, `approved`, `partly_approved` or `rejected` ([`RequestStatus::key`]).
    pub status: String,
    pub decided_by: Option<String>,
    /// What was decided on each requested field, in the request's order; empty while the
    /// request is open.
    pub decisions: Vec<FieldOutcome>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    /// The citizen's data was erased: the reasons, sealed under the citizen's key, are
    /// empty here.
    pub erased: bool,
}

impl RequestView {
    pub fn is_open(&self) -> bool {
        self.status == RequestStatus::Open.key()
    }

    pub fn status_danish(&self) -> &'static str {
        RequestStatus::parse(&self.status).map_or("Afventer sagsbehandler", RequestStatus::danish)
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

/// A caseworker's decision on one field: an approval may carry a remark, a rejection
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

/// The decision on one requested field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDecision {
    pub field: FieldKey,
    pub decision: Decision,
}

impl FieldDecision {
    /// One field's decision as typed: `approve` or `reject` (nothing chosen is refused
    /// for that field), with its remark or reason. A problem with the text names the field.
    pub fn parse(field: FieldKey, decision: &str, text: &str) -> Result<FieldDecision, Problem> {
        let approve = match decision.trim() {
            "approve" => true,
            "reject" => false,
            "" => return Err(Problem::FieldUndecided(field)),
            _ => return Err(Problem::BadDecision),
        };
        let decision =
            Decision::parse(approve, text).map_err(|problem| Problem::FieldDecisionText {
                field,
                problem: Box::new(problem),
            })?;
        Ok(FieldDecision { field, decision })
    }
}

/// The decisions on a request's fields, each field once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decisions(Vec<FieldDecision>);

impl Decisions {
    /// At least one decision, and no field decided twice.
    pub fn new(decisions: Vec<FieldDecision>) -> Result<Decisions, Problem> {
        if decisions.is_empty() {
            return Err(Problem::FieldsRequired);
        }
        for (i, d) in decisions.iter().enumerate() {
            if decisions[..i].iter().any(|e| e.field == d.field) {
                return Err(Problem::FieldRepeated(d.field));
            }
        }
        Ok(Decisions(decisions))
    }

    /// Every requested field is decided, and nothing else is.
    pub fn cover(&self, requested: &[FieldKey]) -> Result<(), Problem> {
        if let Some(f) = requested.iter().find(|f| self.of(**f).is_none()) {
            return Err(Problem::FieldUndecided(*f));
        }
        if let Some(d) = self.0.iter().find(|d| !requested.contains(&d.field)) {
            return Err(Problem::FieldNotRequested(d.field));
        }
        Ok(())
    }

    pub fn of(&self, field: FieldKey) -> Option<&Decision> {
        self.0
            .iter()
            .find(|d| d.field == field)
            .map(|d| &d.decision)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldDecision> {
        self.0.iter()
    }

    /// The request's status once these decisions are made.
    pub fn status(&self) -> RequestStatus {
        let approved = self.0.iter().filter(|d| d.decision.approves()).count();
        match approved {
            0 => RequestStatus::Rejected,
            n if n == self.0.len() => RequestStatus::Approved,
            _ => RequestStatus::PartlyApproved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(field: FieldKey, decision: &str, text: &str) -> Result<FieldDecision, Problem> {
        FieldDecision::parse(field, decision, text)
    }

    #[test]
    fn a_rejection_needs_a_reason_that_names_its_field() {
        assert_eq!(
            d(FieldKey::Phone, "reject", " ").err(),
            Some(Problem::FieldDecisionText {
                field: FieldKey::Phone,
                problem: Box::new(Problem::TooShort {
                    input: Input::RejectionReason,
                    min: crate::text::MIN_JUSTIFICATION,
                }),
            })
        );
        assert_eq!(
            d(FieldKey::Phone, "", "").err(),
            Some(Problem::FieldUndecided(FieldKey::Phone))
        );
        assert_eq!(
            d(FieldKey::Phone, "maybe", "").err(),
            Some(Problem::BadDecision)
        );
        assert!(d(FieldKey::Phone, "approve", "").is_ok_and(|f| f.decision.approves()));
    }

    #[test]
    fn the_status_follows_the_fields() {
        let approve = |f| d(f, "approve", "").expect("approve");
        let reject = |f| d(f, "reject", "Ikke nødvendigt for forløbet").expect("reject");
        let all = Decisions::new(vec![approve(FieldKey::Phone), approve(FieldKey::Address)]);
        assert_eq!(all.map(|d| d.status()), Ok(RequestStatus::Approved));
        let mixed = Decisions::new(vec![approve(FieldKey::Phone), reject(FieldKey::Address)])
            .expect("mixed");
        assert_eq!(mixed.status(), RequestStatus::PartlyApproved);
        assert_eq!(mixed.cover(&[FieldKey::Phone, FieldKey::Address]), Ok(()));
        assert_eq!(
            mixed.cover(&[FieldKey::Phone, FieldKey::Address, FieldKey::Email]),
            Err(Problem::FieldUndecided(FieldKey::Email))
        );
        assert_eq!(
            mixed.cover(&[FieldKey::Phone]),
            Err(Problem::FieldNotRequested(FieldKey::Address))
        );
        let none = Decisions::new(vec![reject(FieldKey::Phone)]).expect("none");
        assert_eq!(none.status(), RequestStatus::Rejected);
        assert_eq!(
            Decisions::new(vec![approve(FieldKey::Phone), reject(FieldKey::Phone)]),
            Err(Problem::FieldRepeated(FieldKey::Phone))
        );
        assert_eq!(Decisions::new(Vec::new()), Err(Problem::FieldsRequired));
    }
}

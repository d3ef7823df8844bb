//! Secure messages (SEC-1): threads per order and general threads, their evidence of
//! delivery, and the guard's verdict on what a caseworker is about to send.
//!
//! The guard's rule lives here, once: a caseworker's message (with its attachments) that
//! carries a CPR number, special-category or criminal terms, text the guard cannot read, or
//! the citizen's data that this supplier has not received, goes only with a written
//! confirmation ([`GuardFindings::verdict`]); in a general thread, which concerns no
//! citizen, a CPR number is refused outright ([`GuardFindings::general_verdict`]).

use serde::Serialize;
use uuid::Uuid;

use crate::data_requests::RequestView;
use crate::disclosures::DisclosureRule;
use crate::error::{GuardStop, Input, Problem};
use crate::orders::OrderSummary;
use crate::taxonomy::FieldKey;
use crate::text::{Justification, MIN_JUSTIFICATION};
use crate::time::Timestamp;

/// What the guard found in a message and its attachments before it is sent (computed by
/// the caller, which owns the scrubber and reads the files). The gate adds what only it
/// can know: which of the citizen's undisclosed values the text contains.
#[derive(Debug, Clone, Default)]
pub struct GuardFindings {
    pub cpr_numbers: usize,
    pub sensitive_terms: Vec<String>,
    /// Attachments whose text could not be read (images, scans, damaged files): the guard
    /// cannot vouch for them, so they need the same confirmation.
    pub unreadable: Vec<String>,
    /// The text read from the attachments, for the gate's own check.
    pub attachment_text: String,
}

impl GuardFindings {
    /// Whether the scan found anything that needs a confirmation.
    pub fn any(&self) -> bool {
        self.cpr_numbers > 0 || !self.sensitive_terms.is_empty() || !self.unreadable.is_empty()
    }

    /// What was found, in Danish, for the sender and (sealed) for the ledger.
    pub fn describe(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.cpr_numbers > 0 {
            found.push("et CPR-nummer".to_owned());
        }
        if !self.sensitive_terms.is_empty() {
            found.push(format!(
                "følsomme oplysninger ({})",
                self.sensitive_terms.join(", ")
            ));
        }
        if !self.unreadable.is_empty() {
            found.push(format!(
                "vedhæftninger, hvis tekst ikke kan læses ({})",
                self.unreadable.join(", ")
            ));
        }
        found
    }
}

/// An attachment to send, already checked by the caller: a clean file name, a content
/// type sniffed from the bytes, and a size within limits.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message to send.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMessage<'a> {
    pub body: &'a str,
    pub attachments: &'a [NewAttachment],
    /// The sender's reason to send despite the guard's findings.
    pub confirmation: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentMeta {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// An attachment's content, for download.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadReceipt {
    pub reader: String,
    pub at: Timestamp,
}

/// A message with its evidence of delivery (SEC-1).
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: Uuid,
    pub kind: String,
    pub sender: String,
    pub sender_organisation: String,
    pub recipients: String,
    /// Empty when [`MessageView::erased`].
    pub body: String,
    pub attachments: Vec<AttachmentMeta>,
    /// SHA-256 over the message id and the body, hex.
    pub content_hash: String,
    pub sent_at: Timestamp,
    /// How it travelled: always inside the platform, encrypted.
    pub delivery: &'static str,
    pub reads: Vec<ReadReceipt>,
    /// Not read by the viewer before this view.
    pub new_for_me: bool,
    /// The citizen's data was erased: the body and the attachments' names were sealed
    /// under a key that no longer exists, so they are empty here.
    pub erased: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    pub order: OrderSummary,
    pub messages: Vec<MessageView>,
    pub requests: Vec<RequestView>,
    /// Fields the supplier may ask for: allowed on a justified decision, not yet disclosed,
    /// not already asked for. Says nothing about whether the citizen has such data.
    pub requestable: Vec<FieldKey>,
    /// For the caseworker: the citizen's current values of the fields in open requests,
    /// to decide with the data beside the request.
    pub requested_values: Vec<(FieldKey, String)>,
    /// The service type's policy, field by field.
    pub policy: Vec<(FieldKey, DisclosureRule)>,
    /// The citizen's data was erased: messages and requests show without their texts.
    pub citizen_erased: bool,
}

/// A general thread as its list shows it: no message content.
#[derive(Debug, Clone, Serialize)]
pub struct GeneralThreadSummary {
    /// The other party: the supplier for a caseworker, the municipality for a supplier.
    pub counterpart_id: Uuid,
    pub counterpart_name: String,
    pub messages: i64,
    /// Messages from the other party this user has not opened.
    pub unread: i64,
    pub last_at: Option<Timestamp>,
    /// Whether a DPA is in force, so that new messages can be written.
    pub open: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GeneralThreadView {
    pub counterpart_id: Uuid,
    pub counterpart_name: String,
    pub open: bool,
    pub messages: Vec<MessageView>,
}

/// What the guard decided about an outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing found: it goes as it is.
    Clean,
    /// Something found, and the sender confirmed why it must go as written.
    Confirmed(Justification),
}

impl GuardFindings {
    fn stop(&self, undisclosed: &[FieldKey]) -> Problem {
        Problem::GuardConfirmationRequired(GuardStop {
            cpr_numbers: self.cpr_numbers,
            sensitive_terms: self.sensitive_terms.clone(),
            unreadable: self.unreadable.clone(),
            undisclosed: undisclosed.to_vec(),
            min: MIN_JUSTIFICATION,
        })
    }

    /// The verdict on a message in an order's thread, given the citizen's data in it that
    /// the supplier has not received and the sender's confirmation, if any.
    pub fn verdict(
        &self,
        undisclosed: &[FieldKey],
        confirmation: Option<&str>,
    ) -> Result<Verdict, Problem> {
        if !self.any() && undisclosed.is_empty() {
            return Ok(Verdict::Clean);
        }
        match confirmation.map(|c| Justification::parse(Input::Confirmation, c)) {
            Some(Ok(why)) => Ok(Verdict::Confirmed(why)),
            Some(Err(e @ (Problem::TooLong { .. } | Problem::ControlCharacters(_)))) => Err(e),
            _ => Err(self.stop(undisclosed)),
        }
    }

    /// The verdict on an order's own text (`input`: its task, scope or remark), given the
    /// citizen's data in it that the order would not disclose. The text goes to the
    /// supplier with the order, where no confirmation is asked: whatever the guard finds is
    /// refused, and the caseworker writes it without, or discloses the data on the order
    /// with a justification.
    pub fn order_text_verdict(
        &self,
        input: Input,
        undisclosed: &[FieldKey],
    ) -> Result<(), Problem> {
        if !self.any() && undisclosed.is_empty() {
            return Ok(());
        }
        Err(Problem::OrderTextGuard {
            input,
            stop: GuardStop {
                cpr_numbers: self.cpr_numbers,
                sensitive_terms: self.sensitive_terms.clone(),
                unreadable: self.unreadable.clone(),
                undisclosed: undisclosed.to_vec(),
                min: 0,
            },
        })
    }

    /// The verdict on a message in a general thread: no CPR number at all, and the rest as
    /// in an order's thread.
    pub fn general_verdict(&self, confirmation: Option<&str>) -> Result<Verdict, Problem> {
        if self.cpr_numbers > 0 {
            return Err(Problem::GeneralThreadCpr);
        }
        self.verdict(&[], confirmation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_stops_until_a_reason_is_given() {
        let clean = GuardFindings::default();
        assert_eq!(clean.verdict(&[], None), Ok(Verdict::Clean));
        let found = GuardFindings {
            sensitive_terms: vec!["diabetes".into()],
            ..GuardFindings::default()
        };
        assert!(matches!(
            found.verdict(&[], None),
            Err(Problem::GuardConfirmationRequired(GuardStop { ref sensitive_terms, .. })) if sensitive_terms == &["diabetes"]
        ));
        assert!(matches!(
            found.verdict(&[], Some("kort")),
            Err(Problem::GuardConfirmationRequired(_))
        ));
        assert!(matches!(
            clean.verdict(&[FieldKey::Phone], None),
            Err(Problem::GuardConfirmationRequired(GuardStop { ref undisclosed, .. })) if undisclosed == &[FieldKey::Phone]
        ));
        assert!(matches!(
            found.verdict(&[], Some("Mentoren skal kende behandlingen")),
            Ok(Verdict::Confirmed(_))
        ));
    }

    #[test]
    fn an_order_text_takes_nothing_the_guard_finds() {
        let clean = GuardFindings::default();
        assert_eq!(clean.order_text_verdict(Input::Task, &[]), Ok(()));
        let cpr = GuardFindings {
            cpr_numbers: 1,
            ..GuardFindings::default()
        };
        assert!(matches!(
            cpr.order_text_verdict(Input::SupplierRemark, &[]),
            Err(Problem::OrderTextGuard { input: Input::SupplierRemark, ref stop }) if stop.cpr_numbers == 1
        ));
        assert!(matches!(
            clean.order_text_verdict(Input::Scope, &[FieldKey::Phone]),
            Err(Problem::OrderTextGuard { input: Input::Scope, ref stop }) if stop.undisclosed == [FieldKey::Phone]
        ));
    }

    #[test]
    fn a_general_thread_takes_no_cpr_number_even_confirmed() {
        let cpr = GuardFindings {
            cpr_numbers: 1,
            ..GuardFindings::default()
        };
        assert_eq!(
            cpr.general_verdict(Some("Det er nødvendigt her")),
            Err(Problem::GeneralThreadCpr)
        );
    }
}

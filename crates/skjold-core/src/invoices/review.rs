//! The manual step (INV-2): documents the scrubber was unsure of wait for a reviewer of
//! the analysis service before they enter the analyses. The reviewer sees the anonymised
//! text with what was replaced and what made it wait, may name more text to hide, and
//! approves or rejects; each decision is kept (who, when, what).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::text::MAX_LINE;
use crate::time::{Date, Timestamp};
use crate::{Input, Problem};

/// Why a person should look at a document before the analyses take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ReviewReason {
    /// Free text (a note, a description, an attention line) held personal data, found by
    /// the scrubber's text rules rather than by the element it stood in.
    PersonalDataInFreeText {
        xpath: String,
        /// The scrubber's type labels (`CPR`, `PERSON`…).
        kinds: Vec<String>,
    },
    /// The lines do not add up to the total the sender declared.
    LinesDoNotAddUp,
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waits in the review queue.
    Review,
    /// In the analyses.
    Analysed,
    /// A reviewer kept it out of the analyses.
    Rejected,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Review => "review",
            Status::Analysed => "analysed",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Review, Status::Analysed, Status::Rejected]
            .into_iter()
            .find(|k| k.key() == s)
    }
}

/// Text a reviewer hides beyond what the scrubber replaced: at most this many pieces.
pub const MAX_REDACTIONS: usize = 20;
/// A piece shorter than this would hide too much by accident (every "a" in the text).
pub const MIN_REDACTION: usize = 3;
/// What hidden text is replaced with.
pub const REDACTED: &str = "[SKJULT]";

/// A reviewer's decision on a document in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Into the analyses, after hiding `redact` wherever it stands in the document.
    Approve { redact: Vec<String> },
    /// Kept out of the analyses (with a reason in the note).
    Reject,
}

impl Decision {
    pub fn key(&self) -> &'static str {
        match self {
            Decision::Approve { .. } => "approve",
            Decision::Reject => "reject",
        }
    }

    /// A decision from what a reviewer typed: the pieces to hide, one per line; a
    /// rejection needs a note.
    pub fn new(approve: bool, redact: &str, note: &str) -> Result<Decision, Problem> {
        if !approve {
            if note.trim().is_empty() {
                return Err(Problem::Required(Input::Reason));
            }
            return Ok(Decision::Reject);
        }
        let redact: Vec<String> = redact
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if redact.len() > MAX_REDACTIONS
            || redact
                .iter()
                .any(|r| r.chars().count() < MIN_REDACTION || r.chars().count() > MAX_LINE)
        {
            return Err(Problem::BadRedaction {
                max: MAX_REDACTIONS,
                min_length: MIN_REDACTION,
            });
        }
        Ok(Decision::Approve { redact })
    }
}

/// A document in the queue, as the queue lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    pub id: Uuid,
    pub organisation: String,
    pub document_id: String,
    pub supplier: String,
    pub issue_date: Date,
    pub received_at: Timestamp,
    pub reasons: Vec<ReviewReason>,
}

/// The queue's size and the oldest document's arrival.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct QueueState {
    pub waiting: u64,
    pub oldest: Option<Timestamp>,
}

/// A decision as kept.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub decision: &'static str,
    pub redacted: u32,
    pub note: String,
    pub by: String,
    pub at: Timestamp,
}

/// One document for the reviewer: the anonymised text and what was decided on it.
#[derive(Debug, Clone, Serialize)]
pub struct ForReview {
    pub queued: Queued,
    pub status: Status,
    pub anonymised: String,
    pub decisions: Vec<Decided>,
}

/// Hides each piece wherever it stands in `text` (XML-escaped as well as plain, so a
/// piece with `&` is found in the document too); returns how many places changed.
pub fn redact(text: &str, pieces: &[String]) -> (String, usize) {
    let mut out = text.to_owned();
    let mut n = 0;
    for p in pieces {
        let escaped = p
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        for needle in [p.as_str(), escaped.as_str()] {
            let found = out.matches(needle).count();
            if found > 0 {
                n += found;
                out = out.replace(needle, REDACTED);
            }
        }
    }
    (out, n)
}

/// A participant as the analysis service sees it: how many of its documents are in the
/// analyses, waiting, rejected, and how many raw copies are kept.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub organisation: String,
    pub contact: String,
    pub joined_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    pub analysed: u64,
    pub waiting: u64,
    pub rejected: u64,
    pub raw_kept: u64,
}

/// A text cut into pieces, each marked when it is a code the scrubber or a reviewer put in
/// (`[NAVN-1]`, `[CPR-2]`, `[SKJULT]`): what the review page highlights.
pub fn marked(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let end = after.find(']');
        let is_code = end.is_some_and(|e| {
            e > 0
                && after[..e]
                    .chars()
                    .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-')
        });
        match (is_code, end) {
            (true, Some(e)) => {
                if start > 0 {
                    out.push((&rest[..start], false));
                }
                out.push((&rest[start..start + e + 2], true));
                rest = &after[e + 1..];
            }
            _ => {
                out.push((&rest[..=start], false));
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_marked_and_the_pieces_give_the_text_back() {
        let text = "<Note>Att. [NAVN-1], tlf. [TELEFON-1] [x] [SKJULT]</Note>[";
        let pieces = marked(text);
        assert_eq!(pieces.iter().map(|(p, _)| *p).collect::<String>(), text);
        let codes: Vec<&str> = pieces.iter().filter(|(_, m)| *m).map(|(p, _)| *p).collect();
        assert_eq!(codes, ["[NAVN-1]", "[TELEFON-1]", "[SKJULT]"]);
        assert_eq!(marked("[FØLSOMT-2]"), vec![("[FØLSOMT-2]", true)]);
    }

    #[test]
    fn a_rejection_needs_a_reason_and_pieces_have_bounds() {
        assert!(Decision::new(false, "", " ").is_err());
        assert_eq!(Decision::new(false, "", "Dublet"), Ok(Decision::Reject));
        assert!(Decision::new(true, "ab", "").is_err());
        assert_eq!(
            Decision::new(true, " Jens Hansen \n\n", ""),
            Ok(Decision::Approve {
                redact: vec!["Jens Hansen".into()]
            })
        );
        let many = "abcd\n".repeat(MAX_REDACTIONS + 1);
        assert!(Decision::new(true, &many, "").is_err());
    }

    #[test]
    fn redaction_finds_plain_and_escaped_text() {
        let (out, n) = redact(
            "<Note>Jens &amp; Co, Jens &amp; Co</Note>",
            &["Jens & Co".to_owned()],
        );
        assert_eq!(out, "<Note>[SKJULT], [SKJULT]</Note>");
        assert_eq!(n, 2);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [Status::Review, Status::Analysed, Status::Rejected] {
            assert_eq!(Status::parse(s.key()), Some(s));
        }
    }
}

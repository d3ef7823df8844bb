//! The letters of data-subject rights cases, in Danish, as tagged, accessible PDF
//! (PDF/UA-1): the answer to an access request (art. 15, the template of seed 003
//! § 4.3.1, with the copy of the data), the decision on any other request (or an access
//! request refused), and the notice that the deadline is extended (art. 12(3)). Beside the
//! letters, two documents for the privacy officer: the records of processing activities
//! (art. 30) and the report of a personal-data breach in the shape of Datatilsynet's
//! notification form (art. 33 and 34).
//!
//! The letters are pure functions of the core's views: no clock, no I/O. Each is laid out
//! on A4 pages by a small layout engine (`wrap`, `layout`) that measures text with the
//! embedded font, and written by krilla (`render`) with every line in the structure tree
//! (headings, paragraphs, lists, tables with header cells), everything else an artifact,
//! the title and the language (`da`) set, and the headings as the outline. krilla checks
//! the document against PDF/UA-1 as it finishes it: a letter that fails the check is an
//! error, never a file.
//!
//! The font is DejaVu Sans (regular and bold), embedded in the crate with its licence in
//! `fonts/LICENSE`. A character it has no glyph for is shown as U+FFFD rather than
//! refusing the letter.

mod access;
mod breach;
mod decision;
mod fonts;
mod layout;
mod records;
mod render;
mod words;
mod wrap;

use skjold_core::rights::{AccessAnswer, DecisionLetter, ExtensionNotice};
use skjold_core::time::Date;

use crate::layout::Block;
use crate::wrap::{Para, labelled, strong};

/// Why a letter could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    /// An embedded font could not be read (a build that lost its font files).
    #[error("the embedded font {0} could not be read")]
    Font(&'static str),
    /// The document failed krilla's PDF/UA-1 validation; the errors, as krilla names them.
    #[error("the letter is not valid PDF/UA-1: {0}")]
    NotAccessible(String),
    /// krilla could not write the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The answer to an access request: the nine points of the template, the copy of the
/// data, and what units and suppliers contributed. An answer with third parties' data
/// still marked in it is a draft, and says so in its heading.
pub fn access_answer(answer: &AccessAnswer) -> Result<Vec<u8>, LetterError> {
    render::render(&access::letter(answer))
}

/// The decision on a request: the outcome, the ground and the reasons, the items it
/// concerned, and the right to complain.
pub fn decision(letter: &DecisionLetter) -> Result<Vec<u8>, LetterError> {
    render::render(&decision::decision(letter))
}

/// The notice that the deadline for an answer is extended, with the reason.
pub fn extension(notice: &ExtensionNotice) -> Result<Vec<u8>, LetterError> {
    render::render(&decision::extension(notice))
}

/// The records of processing (art. 30) as a document: the controller and its privacy
/// officers, then per unit its activities (art. 30(1)), then per processor (art. 30(2)),
/// then the security measures; with the review stamp when the record shown is a reviewed
/// version (without one it says that it has not been reviewed).
pub fn records_of_processing(
    records: &skjold_core::records::RecordsOfProcessing,
    stamp: Option<&skjold_core::records::RecordsVersion>,
) -> Result<Vec<u8>, LetterError> {
    render::render(&records::document(records, stamp))
}

/// A breach report in the shape of Datatilsynet's breach notification form: 1 the
/// controller and contact point, 2 the breach (when it occurred, when the controller and the
/// processor became aware, its nature, the description), 3 the persons and data (with the
/// affected persons computed from the log, if attached), 4 the likely consequences, 5 the
/// measures taken or proposed, 6 the notification of the persons (art. 34) and the
/// deadlines with their status.
pub fn breach_report(
    breach: &skjold_core::breaches::BreachView,
    controller: &str,
) -> Result<Vec<u8>, LetterError> {
    render::render(&breach::report(breach, controller))
}

/// The head every letter opens with: the sender, the citizen, the case and the dates.
pub(crate) struct Head<'a> {
    pub(crate) controller: &'a str,
    pub(crate) citizen: &'a str,
    pub(crate) reference: &'a str,
    pub(crate) received_on: Date,
    /// Further lines: a label and its value.
    pub(crate) more: Vec<(&'static str, String)>,
}

impl Head<'_> {
    pub(crate) fn blocks(self, title: String) -> Vec<Block> {
        let mut lines: Vec<Para> = vec![
            vec![strong(self.controller)],
            labelled("Til", self.citizen),
            labelled("Sagsnummer", self.reference),
            labelled("Din anmodning modtaget", self.received_on.danish()),
        ];
        lines.extend(self.more.into_iter().map(|(l, v)| labelled(l, v)));
        vec![Block::Lines(lines), Block::Heading(1, title)]
    }

    /// The footer's text: the case and the sender (which gives way if it is too long).
    pub(crate) fn footer(&self) -> String {
        format!("Sag {} · {}", self.reference, self.controller)
    }
}

/// The closing lines.
pub(crate) fn closing(controller: &str, reference: &str) -> Vec<Block> {
    vec![
        Block::Para(wrap::para(format!(
            "Har du spørgsmål, er du velkommen til at kontakte {controller}. Skriv \
             sagsnummer {reference}, når du henvender dig."
        ))),
        Block::Lines(vec![
            wrap::para("Med venlig hilsen"),
            wrap::para(controller),
        ]),
    ]
}

//! Records of processing activities (GDPR art. 30, REQUIREMENTS PR-10, PR-11, INV-6),
//! computed from what Skjold already holds: purposes, service types and their policies,
//! organisations, DPAs, sub-processors, transfers, retention rules, and the ledger (which
//! suppliers actually received which categories). Nothing here is typed twice; the
//! privacy officer reviews what is computed and each reviewed version is kept.
//!
//! - Art. 30(1), the controller's record, **per unit**: its activities at the level of
//!   categories (purpose, legal basis, categories of persons and data, recipients,
//!   transfers, retention) and the controller's general security measures.
//! - Art. 30(2), **per processor**: the controller it works for, the kinds of processing
//!   (the service types it supplies), its sub-processors and transfers, and the security
//!   level its DPA names.
//!
//! A unit can report a new processing to the privacy officer (PR-11): a short form that
//! becomes a draft, approved (it then appears in the unit's record) or returned with a
//! comment.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Input, Problem};
use crate::taxonomy::Category;
use crate::text;
use crate::time::Timestamp;

/// Someone to contact: a name and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub detail: String,
}

/// A recipient of an activity's data, from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub name: String,
    pub categories: Vec<Category>,
    /// Fields disclosed to it in all.
    pub disclosures: u64,
}

/// A transfer to a third country, with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferLine {
    pub processor: String,
    pub recipient: String,
    pub country: String,
    pub basis: String,
    pub approved: bool,
}

/// One processing activity of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub subject_categories: String,
    pub data_categories: Vec<Category>,
    pub recipients: Vec<Recipient>,
    pub transfers: Vec<TransferLine>,
    pub retention: Vec<String>,
    /// Where the activity comes from: `configuration` (service types and orders) or
    /// `reported` (a unit's report the privacy officer approved).
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub unit_id: Uuid,
    pub unit: String,
    pub activities: Vec<Activity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubProcessorLine {
    pub name: String,
    pub country: String,
    pub task: String,
    pub agreement_on: Option<String>,
    pub status: String,
}

/// Art. 30(2): one processor's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorRecord {
    pub processor_id: Uuid,
    pub name: String,
    pub cvr: Option<String>,
    pub controller: String,
    pub dpa_reference: String,
    pub dpa_version: u32,
    /// The kinds of processing done for the controller: the service types it supplies.
    pub processing: Vec<String>,
    pub data_categories: Vec<Category>,
    pub sub_processors: Vec<SubProcessorLine>,
    pub transfers: Vec<TransferLine>,
    pub security_level: String,
}

/// The whole record of the controller, as computed at `generated_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsOfProcessing {
    pub controller: String,
    pub controller_cvr: Option<String>,
    pub privacy_officers: Vec<Contact>,
    pub units: Vec<UnitRecord>,
    pub processors: Vec<ProcessorRecord>,
    /// The general description of technical and organisational measures (art. 30(1)(g)).
    pub security_measures: Vec<String>,
    pub generated_at: Timestamp,
}

/// A reviewed version, kept.
#[derive(Debug, Clone, Serialize)]
pub struct RecordsVersion {
    pub id: Uuid,
    pub version: u32,
    pub reviewed_by: String,
    pub reviewed_at: Timestamp,
    pub note: String,
}

/// A unit's report of a new processing (PR-11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftInput {
    pub name: String,
    pub purpose: String,
    pub subject_categories: String,
    pub data_categories: Vec<Category>,
    pub recipients: String,
    pub retention: String,
    /// What the unit asks the privacy officer for help with.
    pub question: String,
}

impl DraftInput {
    pub fn check(&self) -> Result<(), Problem> {
        text::required_line(Input::ProcessingName, &self.name)?;
        text::required_text(Input::Description, &self.purpose, text::MAX_TEXT)?;
        text::required_line(Input::SubjectCategories, &self.subject_categories)?;
        if self.data_categories.is_empty() {
            return Err(Problem::Required(Input::DataCategories));
        }
        text::line(Input::Name, &self.recipients)?;
        text::line(Input::Retention, &self.retention)?;
        text::text(Input::Note, &self.question, text::MAX_TEXT)?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    Draft,
    Approved,
    Returned,
}

impl DraftStatus {
    pub fn key(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Approved => "approved",
            DraftStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<DraftStatus> {
        [
            DraftStatus::Draft,
            DraftStatus::Approved,
            DraftStatus::Returned,
        ]
        .into_iter()
        .find(|d| d.key() == s)
    }

    pub fn danish(self) -> &'static str {
        match self {
            DraftStatus::Draft => "Til behandling",
            DraftStatus::Approved => "Godkendt",
            DraftStatus::Returned => "Sendt retur",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit: String,
    #[serde(flatten)]
    pub input: DraftInput,
    pub status: DraftStatus,
    pub reported_by: String,
    pub reported_at: Timestamp,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub comment: Option<String>,
}

/// The categories named in a comma-separated list of keys.
pub fn parse_categories(keys: &[String]) -> Result<Vec<Category>, Problem> {
    let mut out = Vec::new();
    for k in keys {
        let c = Category::ALL
            .into_iter()
            .find(|c| c.key() == k.trim())
            .ok_or(Problem::Required(Input::DataCategories))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Ok(out)
}

impl RecordsOfProcessing {
    /// The record as CSV: one row per unit activity and per processor, with the columns
    /// of art. 30 (lists joined by `; `).
    pub fn to_csv_rows(&self) -> Vec<Vec<String>> {
        let cats = |cs: &[Category]| cs.iter().map(|c| c.danish()).collect::<Vec<_>>().join("; ");
        let mut rows = vec![vec![
            "art30".to_owned(),
            "enhed_eller_databehandler".to_owned(),
            "aktivitet".to_owned(),
            "formaal".to_owned(),
            "hjemmel".to_owned(),
            "kategorier_af_registrerede".to_owned(),
            "kategorier_af_oplysninger".to_owned(),
            "modtagere".to_owned(),
            "overfoersler".to_owned(),
            "opbevaring".to_owned(),
            "underdatabehandlere".to_owned(),
            "sikkerhed".to_owned(),
        ]];
        let transfers = |ts: &[TransferLine]| {
            ts.iter()
                .map(|t| format!("{} ({}): {}", t.recipient, t.country, t.basis))
                .collect::<Vec<_>>()
                .join("; ")
        };
        for u in &self.units {
            for a in &u.activities {
                rows.push(vec![
                    "30(1)".to_owned(),
                    u.unit.clone(),
                    a.name.clone(),
                    a.purpose.clone(),
                    a.legal_basis.clone(),
                    a.subject_categories.clone(),
                    cats(&a.data_categories),
                    a.recipients
                        .iter()
                        .map(|r| format!("{} ({})", r.name, cats(&r.categories)))
                        .collect::<Vec<_>>()
                        .join("; "),
                    transfers(&a.transfers),
                    a.retention.join("; "),
                    String::new(),
                    self.security_measures.join(" "),
                ]);
            }
        }
        for p in &self.processors {
            rows.push(vec![
                "30(2)".to_owned(),
                p.name.clone(),
                p.processing.join("; "),
                format!("Behandling for {}", p.controller),
                format!("Databehandleraftale {} v{}", p.dpa_reference, p.dpa_version),
                String::new(),
                cats(&p.data_categories),
                String::new(),
                transfers(&p.transfers),
                String::new(),
                p.sub_processors
                    .iter()
                    .map(|s| format!("{} ({})", s.name, s.country))
                    .collect::<Vec<_>>()
                    .join("; "),
                p.security_level.clone(),
            ]);
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_checked() {
        let d = DraftInput {
            name: "Mentorforløb".into(),
            purpose: "Beskæftigelsesindsats".into(),
            subject_categories: "Ledige borgere".into(),
            data_categories: vec![Category::Identity],
            recipients: "Mentorleverandører".into(),
            retention: "5 år".into(),
            question: String::new(),
        };
        assert_eq!(d.check(), Ok(()));
        let none = DraftInput {
            data_categories: vec![],
            ..d.clone()
        };
        assert_eq!(none.check(), Err(Problem::Required(Input::DataCategories)));
        let unnamed = DraftInput {
            name: " ".into(),
            ..d
        };
        assert_eq!(
            unnamed.check(),
            Err(Problem::Required(Input::ProcessingName))
        );
    }

    #[test]
    fn categories_parse_sorted_and_unique() {
        let keys = vec![
            "health".to_owned(),
            "identity".to_owned(),
            "health".to_owned(),
        ];
        assert_eq!(
            parse_categories(&keys),
            Ok(vec![Category::Identity, Category::Health])
        );
        assert!(parse_categories(&["nope".to_owned()]).is_err());
    }
}

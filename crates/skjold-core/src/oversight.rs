//! Oversight: the access log as the privacy officer and the auditor read it, and what
//! they follow up (stand-in accesses, deletions not confirmed in time).

use serde::Serialize;
use uuid::Uuid;

use crate::orders::OrderSummary;
use crate::time::Timestamp;

// Long lists page the same way everywhere; the logs were the first.
pub use crate::paging::{COUNT_CAP, Cursor, Page};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UseKind {
    Search,
    View,
    Register,
    Disclose,
    Oversight,
    /// A caseworker opened a case outside their unit (break the glass).
    StandIn,
    /// Handling a data-subject right: intake, decisions, answers.
    Rights,
    /// A citizen's data was erased: their key destroyed, their data deleted.
    Erase,
    /// The citizen opened their own view, or filed or consented there.
    SelfService,
    /// A breach: its record read or written, its affected persons attached.
    Breach,
    /// Retention: data deleted or anonymised by a rule.
    Retention,
    /// The procurement-data collaboration: invoices received (their raw copies sealed),
    /// reviewed, read back or deleted.
    Invoices,
}

impl UseKind {
    pub const ALL: [UseKind; 12] = [
        UseKind::Search,
        UseKind::View,
        UseKind::Register,
        UseKind::Disclose,
        UseKind::Oversight,
        UseKind::StandIn,
        UseKind::Rights,
        UseKind::Erase,
        UseKind::SelfService,
        UseKind::Breach,
        UseKind::Retention,
        UseKind::Invoices,
    ];

    pub fn key(self) -> &'static str {
        match self {
            UseKind::Search => "search",
            UseKind::View => "view",
            UseKind::Register => "register",
            UseKind::Disclose => "disclose",
            UseKind::Oversight => "oversight",
            UseKind::StandIn => "stand_in",
            UseKind::Rights => "rights",
            UseKind::Erase => "erase",
            UseKind::SelfService => "self_service",
            UseKind::Breach => "breach",
            UseKind::Retention => "retention",
            UseKind::Invoices => "invoices",
        }
    }
    pub fn parse(s: &str) -> Option<UseKind> {
        UseKind::ALL.into_iter().find(|k| k.key() == s)
    }
    pub fn danish(self) -> &'static str {
        match self {
            UseKind::Search => "Søgning",
            UseKind::View => "Visning",
            UseKind::Register => "Registrering",
            UseKind::Disclose => "Videregivelse",
            UseKind::Oversight => "Tilsyn",
            UseKind::StandIn => "Stedfortræderadgang",
            UseKind::Rights => "Registreredes rettigheder",
            UseKind::Erase => "Sletning",
            UseKind::SelfService => "Borgerens egen visning",
            UseKind::Breach => "Brud på persondatasikkerheden",
            UseKind::Retention => "Opbevaring og sletning",
            UseKind::Invoices => "Fakturaer",
        }
    }
}

/// One access-log entry, as the privacy officer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AccessEntry {
    pub id: Uuid,
    pub at: Timestamp,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub organisation_name: Option<String>,
    pub use_kind: UseKind,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub allowed: bool,
    pub detail: String,
    /// Made under a stand-in access (outside the caseworker's own unit).
    pub stand_in: Option<Uuid>,
}

impl AccessEntry {
    /// The entry's criterion for a reader: the filters of an oversight read in words
    /// (which citizen, user or organisation is not repeated: the ids mean nothing to a
    /// reader), a CPR search as such; other criteria as written.
    pub fn criterion_text(&self) -> Option<String> {
        self.criterion.as_deref().map(criterion_danish)
    }
}

/// See [`AccessEntry::criterion_text`].
pub fn criterion_danish(c: &str) -> String {
    if c == "alle" {
        return "alle poster".to_owned();
    }
    if c.starts_with("cpr-hmac:") {
        return "søgning på CPR-nummer".to_owned();
    }
    let day = |t: &str, back: i64| {
        t.parse::<jiff::Timestamp>().ok().map(|t| {
            Timestamp(t.as_microsecond())
                .plus_seconds(-back)
                .local_date()
                .danish()
        })
    };
    let words: Option<Vec<String>> = c
        .split(' ')
        .map(|part| match part.split_once('=')? {
            ("borger", _) => Some("én borger".to_owned()),
            ("bruger", _) => Some("én bruger".to_owned()),
            ("organisation", _) => Some("én organisation".to_owned()),
            ("fra", t) => day(t, 0).map(|d| format!("fra {d}")),
            // The filter's end is the first instant after the last day.
            ("til", t) => day(t, 1).map(|d| format!("til {d}")),
            _ => None,
        })
        .collect();
    words.map_or_else(|| c.to_owned(), |w| w.join(", "))
}

/// Filters for the access log and the ledger. Every field narrows; none means everything.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub subject_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Where the page starts: after this entry (newest first).
    pub after: Option<Cursor>,
    pub limit: i64,
}

/// A stand-in access just opened.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StandInGrant {
    pub id: Uuid,
    pub expires_at: Timestamp,
}

/// A stand-in access as the privacy officer follows it up.
#[derive(Debug, Clone, Serialize)]
pub struct StandInView {
    pub id: Uuid,
    pub user: String,
    pub user_unit: String,
    pub order_id: Uuid,
    pub order_reference: String,
    pub order_unit: String,
    pub subject_id: Uuid,
    pub reason: String,
    pub opened_at: Timestamp,
    pub expires_at: Timestamp,
    pub followed_up_at: Option<Timestamp>,
    pub followed_up_by: Option<String>,
    pub follow_up_note: Option<String>,
    /// The citizen's data was erased: the reason and the note, sealed under the citizen's
    /// key, are empty here.
    pub erased: bool,
}

/// What the privacy officer follows up.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FollowUp {
    /// Stand-in accesses: those not yet followed up first.
    pub stand_ins: Vec<StandInView>,
    pub overdue_deletions: Vec<OrderSummary>,
}

#[cfg(test)]
mod tests {
    use super::criterion_danish;

    #[test]
    fn criteria_read_as_words() {
        assert_eq!(criterion_danish("alle"), "alle poster");
        assert_eq!(
            criterion_danish("cpr-hmac:0011223344556677"),
            "søgning på CPR-nummer"
        );
        assert_eq!(
            criterion_danish(
                "borger=6f1c2d3e-0000-4000-8000-000000000001 fra=2026-10-31T23:00:00Z til=2026-11-30T23:00:00Z"
            ),
            "én borger, fra 01.11.2026, til 30.11.2026"
        );
        assert_eq!(
            criterion_danish("bestilling BST-2026-0001"),
            "bestilling BST-2026-0001"
        );
        assert_eq!(criterion_danish("fra=garbage"), "fra=garbage");
    }
}

//! Personal-data breaches (GDPR art. 33 and 34, REQUIREMENTS INV-10): what a breach record
//! holds and the clocks that run from it.
//!
//! Three clocks, each from an instant of awareness:
//! - the **processor's report** to the controller (art. 33(2)): within the DPA's breach-notice
//!   time (24 hours by default) from when the processor became aware;
//! - the **controller's notification** of Datatilsynet (art. 33(1)): within 72 hours of the
//!   controller's awareness, unless the breach is unlikely to result in a risk; a late
//!   notification carries the reasons for the delay;
//! - the **notification of the persons** (art. 34): without undue delay when the risk to
//!   them is high. The regulation sets no hours; Skjold holds it to the authority's 72
//!   hours, so it never lies open unnoticed.
//!
//! A clock that has run out without being met is *overdue*: it heads the privacy officer's
//! start page until it is met or a reason is recorded.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Input, Problem};
use crate::taxonomy::Category;
use crate::text;
use crate::time::Timestamp;

/// Hours the controller has to notify the supervisory authority (art. 33(1)).
pub const AUTHORITY_HOURS: i64 = 72;

/// Who found the breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectedBy {
    Controller,
    Processor,
}

impl DetectedBy {
    pub const ALL: [DetectedBy; 2] = [DetectedBy::Controller, DetectedBy::Processor];

    pub fn key(self) -> &'static str {
        match self {
            DetectedBy::Controller => "controller",
            DetectedBy::Processor => "processor",
        }
    }

    pub fn parse(s: &str) -> Option<DetectedBy> {
        DetectedBy::ALL.into_iter().find(|d| d.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            DetectedBy::Controller => "Kommunen (den dataansvarlige)",
            DetectedBy::Processor => "Databehandleren",
        }
    }
}

/// What the breach did to the data (the three security properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    Confidentiality,
    Integrity,
    Availability,
}

impl Nature {
    pub const ALL: [Nature; 3] = [
        Nature::Confidentiality,
        Nature::Integrity,
        Nature::Availability,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Nature::Confidentiality => "confidentiality",
            Nature::Integrity => "integrity",
            Nature::Availability => "availability",
        }
    }

    pub fn parse(s: &str) -> Option<Nature> {
        Nature::ALL.into_iter().find(|n| n.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            Nature::Confidentiality => "Fortrolighed (uautoriseret adgang eller videregivelse)",
            Nature::Integrity => "Integritet (uautoriseret ændring)",
            Nature::Availability => "Tilgængelighed (tab eller utilgængelighed)",
        }
    }
}

/// The clocks of a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// The processor's report to the controller (art. 33(2)).
    ProcessorReport,
    /// The controller's notification of Datatilsynet (art. 33(1)).
    Authority,
    /// The notification of the persons concerned (art. 34).
    Persons,
}

impl ClockKind {
    pub const ALL: [ClockKind; 3] = [
        ClockKind::ProcessorReport,
        ClockKind::Authority,
        ClockKind::Persons,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ClockKind::ProcessorReport => "processor_report",
            ClockKind::Authority => "authority",
            ClockKind::Persons => "persons",
        }
    }

    pub fn parse(s: &str) -> Option<ClockKind> {
        ClockKind::ALL.into_iter().find(|c| c.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            ClockKind::ProcessorReport => {
                "Databehandlerens underretning af kommunen (art. 33, stk. 2)"
            }
            ClockKind::Authority => "Anmeldelse til Datatilsynet (art. 33, stk. 1)",
            ClockKind::Persons => "Underretning af de registrerede (art. 34)",
        }
    }
}

/// A breach as it is reported: checked input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreachReport {
    pub detected_by: DetectedBy,
    /// The processor concerned, if any (required when the processor detected it).
    pub processor_id: Option<Uuid>,
    /// When the processor became aware (its clock runs from here).
    pub processor_aware_at: Option<Timestamp>,
    /// When the controller became aware (the 72 hours run from here).
    pub aware_at: Timestamp,
    pub occurred_at: Option<Timestamp>,
    pub nature: Vec<Nature>,
    pub description: String,
    pub data_categories: Vec<Category>,
    pub subject_categories: String,
    pub approx_persons: u64,
    pub approx_records: u64,
    pub contact_point: String,
    pub consequences: String,
    pub measures: String,
    /// Whether the breach is likely to result in a high risk to the persons (art. 34).
    pub high_risk: bool,
    /// Whether it is unlikely to result in any risk (art. 33(1): no notification needed).
    pub no_risk: bool,
}

impl BreachReport {
    /// Checks a report: the texts within bounds, at least one nature, a processor named
    /// when it detected the breach, and no instant of awareness after `now`.
    pub fn check(&self, now: Timestamp) -> Result<(), Problem> {
        text::required_text(Input::Description, &self.description, text::MAX_TEXT)?;
        text::required_line(Input::ContactPoint, &self.contact_point)?;
        text::text(Input::Consequences, &self.consequences, text::MAX_TEXT)?;
        text::text(Input::Measures, &self.measures, text::MAX_TEXT)?;
        text::line(Input::SubjectCategories, &self.subject_categories)?;
        if self.nature.is_empty() {
            return Err(Problem::BreachNatureRequired);
        }
        if self.high_risk && self.no_risk {
            return Err(Problem::BreachRiskContradiction);
        }
        if self.detected_by == DetectedBy::Processor
            && (self.processor_id.is_none() || self.processor_aware_at.is_none())
        {
            return Err(Problem::BreachProcessorRequired);
        }
        let future = |t: Option<Timestamp>| t.is_some_and(|t| t > now);
        if future(Some(self.aware_at))
            || future(self.processor_aware_at)
            || future(self.occurred_at)
        {
            return Err(Problem::BreachInFuture);
        }
        Ok(())
    }
}

/// When each duty was met, and the reasons recorded for lateness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Notifications {
    pub processor_reported_at: Option<Timestamp>,
    pub authority_notified_at: Option<Timestamp>,
    pub persons_notified_at: Option<Timestamp>,
    pub processor_late_reason: Option<String>,
    pub authority_late_reason: Option<String>,
    pub persons_late_reason: Option<String>,
}

impl Notifications {
    pub fn done_at(&self, clock: ClockKind) -> Option<Timestamp> {
        match clock {
            ClockKind::ProcessorReport => self.processor_reported_at,
            ClockKind::Authority => self.authority_notified_at,
            ClockKind::Persons => self.persons_notified_at,
        }
    }

    pub fn late_reason(&self, clock: ClockKind) -> Option<&str> {
        match clock {
            ClockKind::ProcessorReport => self.processor_late_reason.as_deref(),
            ClockKind::Authority => self.authority_late_reason.as_deref(),
            ClockKind::Persons => self.persons_late_reason.as_deref(),
        }
    }
}

/// One clock of a breach, computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub due: Timestamp,
    pub done_at: Option<Timestamp>,
    /// Met after its deadline, or not met and past it.
    pub late: bool,
    /// Past its deadline, not met, and without a recorded reason: it heads the start page.
    pub overdue: bool,
    pub late_reason: Option<String>,
}

/// The clocks that apply to a breach, at `now`. The processor's clock applies when a
/// processor became aware; the authority's unless the breach is unlikely to result in a
/// risk; the persons' when the risk is high.
pub fn clocks(
    report: &BreachReport,
    breach_notice_hours: u32,
    done: &Notifications,
    now: Timestamp,
) -> Vec<Clock> {
    let mut out = Vec::with_capacity(3);
    let mut push = |kind: ClockKind, from: Timestamp, hours: i64| {
        let due = from.plus_seconds(hours * 3600);
        let done_at = done.done_at(kind);
        let late = match done_at {
            Some(at) => at > due,
            None => now > due,
        };
        let late_reason = done.late_reason(kind).map(str::to_owned);
        out.push(Clock {
            kind,
            due,
            done_at,
            late,
            overdue: done_at.is_none() && now > due && late_reason.is_none(),
            late_reason,
        });
    };
    if let Some(at) = report.processor_aware_at {
        push(
            ClockKind::ProcessorReport,
            at,
            i64::from(breach_notice_hours),
        );
    }
    if !report.no_risk {
        push(ClockKind::Authority, report.aware_at, AUTHORITY_HOURS);
    }
    if report.high_risk {
        push(ClockKind::Persons, report.aware_at, AUTHORITY_HOURS);
    }
    out
}

/// A breach as the privacy officer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct BreachView {
    pub id: Uuid,
    pub reference: String,
    pub report: BreachReport,
    pub processor_name: Option<String>,
    pub breach_notice_hours: u32,
    pub notifications: Notifications,
    pub clocks: Vec<Clock>,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
    /// The affected persons attached from the records, if a list was attached.
    pub affected: Option<AffectedSummary>,
}

impl BreachView {
    pub fn overdue(&self) -> bool {
        self.clocks.iter().any(|c| c.overdue)
    }
}

/// Whose actions a search for affected persons follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Party {
    /// One user (e.g. a stolen laptop of that user).
    User(Uuid),
    /// An organisation: a unit of the municipality or a supplier.
    Organisation(Uuid),
}

/// What a search for affected persons covers: a party and a window of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedQuery {
    pub party: Party,
    pub from: Timestamp,
    pub until: Timestamp,
}

impl AffectedQuery {
    pub fn check(&self) -> Result<(), Problem> {
        if self.until <= self.from {
            return Err(Problem::PeriodBackwards);
        }
        Ok(())
    }
}

/// One citizen found by a search: how many times the party used their data in the window
/// (access-log entries) and which categories it received or read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedPerson {
    pub subject_id: Uuid,
    pub uses: u64,
    pub fields_received: u64,
    pub categories: Vec<Category>,
}

/// The persons a party reached in a window, with counts per category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedSummary {
    pub query: AffectedQuery,
    pub party_name: String,
    pub persons: u64,
    pub log_entries: u64,
    pub ledger_rows: u64,
    /// Per category: how many of the persons had data of it read or received.
    pub per_category: Vec<(Category, u64)>,
    pub computed_at: Timestamp,
}

impl AffectedSummary {
    /// The summary of a list of persons found by `query`.
    pub fn of(
        query: AffectedQuery,
        party_name: String,
        persons: &[AffectedPerson],
        log_entries: u64,
        ledger_rows: u64,
        computed_at: Timestamp,
    ) -> AffectedSummary {
        let per_category = Category::ALL
            .into_iter()
            .map(|c| {
                let n = persons.iter().filter(|p| p.categories.contains(&c)).count();
                (c, u64::try_from(n).unwrap_or(u64::MAX))
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        AffectedSummary {
            query,
            party_name,
            persons: u64::try_from(persons.len()).unwrap_or(u64::MAX),
            log_entries,
            ledger_rows,
            per_category,
            computed_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn at(s: i64) -> Timestamp {
        Timestamp(s * Timestamp::MICROS_PER_SECOND)
    }

    fn report() -> BreachReport {
        BreachReport {
            detected_by: DetectedBy::Processor,
            processor_id: Some(Uuid::nil()),
            processor_aware_at: Some(at(1_000 * H)),
            aware_at: at(1_010 * H),
            occurred_at: None,
            nature: vec![Nature::Confidentiality],
            description: "Bærbar stjålet".into(),
            data_categories: vec![Category::Identity],
            subject_categories: "Borgere i beskæftigelsesindsats".into(),
            approx_persons: 10,
            approx_records: 40,
            contact_point: "DPO".into(),
            consequences: String::new(),
            measures: String::new(),
            high_risk: true,
            no_risk: false,
        }
    }

    #[test]
    fn the_authority_clock_runs_72_hours_to_the_minute() {
        let r = report();
        let due = r.aware_at.plus_seconds(72 * H);
        let at_due = clocks(&r, 24, &Notifications::default(), due);
        let authority = at_due.iter().find(|c| c.kind == ClockKind::Authority);
        assert_eq!(authority.map(|c| (c.due, c.overdue)), Some((due, false)));
        let minute_after = clocks(&r, 24, &Notifications::default(), due.plus_seconds(60));
        let authority = minute_after.iter().find(|c| c.kind == ClockKind::Authority);
        assert_eq!(authority.map(|c| c.overdue), Some(true));
    }

    #[test]
    fn the_processor_clock_follows_the_dpa_and_a_reason_lifts_overdue() {
        let r = report();
        let due = at(1_024 * H);
        let cs = clocks(&r, 24, &Notifications::default(), at(1_024 * H + 1));
        let p = &cs[0];
        assert_eq!(
            (p.kind, p.due, p.overdue),
            (ClockKind::ProcessorReport, due, true)
        );
        let with_reason = Notifications {
            processor_late_reason: Some("Ferie".into()),
            ..Notifications::default()
        };
        let cs = clocks(&r, 24, &with_reason, at(1_030 * H));
        assert!(cs[0].late && !cs[0].overdue);
        let reported_late = Notifications {
            processor_reported_at: Some(at(1_025 * H)),
            ..Notifications::default()
        };
        let cs = clocks(&r, 24, &reported_late, at(1_030 * H));
        assert!(cs[0].late && !cs[0].overdue);
    }

    #[test]
    fn clocks_apply_by_risk() {
        let mut r = report();
        r.high_risk = false;
        r.no_risk = true;
        r.processor_aware_at = None;
        assert!(clocks(&r, 24, &Notifications::default(), at(0)).is_empty());
        r.no_risk = false;
        let kinds: Vec<_> = clocks(&r, 24, &Notifications::default(), at(0))
            .into_iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, vec![ClockKind::Authority]);
    }

    #[test]
    fn a_report_is_checked() {
        let now = at(2_000 * H);
        assert_eq!(report().check(now), Ok(()));
        let mut r = report();
        r.nature.clear();
        assert_eq!(r.check(now), Err(Problem::BreachNatureRequired));
        let mut r = report();
        r.processor_id = None;
        assert_eq!(r.check(now), Err(Problem::BreachProcessorRequired));
        let mut r = report();
        r.aware_at = at(3_000 * H);
        assert_eq!(r.check(now), Err(Problem::BreachInFuture));
        let mut r = report();
        r.no_risk = true;
        assert_eq!(r.check(now), Err(Problem::BreachRiskContradiction));
    }

    #[test]
    fn the_summary_counts_persons_per_category() {
        let q = AffectedQuery {
            party: Party::User(Uuid::nil()),
            from: at(0),
            until: at(10),
        };
        let person = |cats: Vec<Category>| AffectedPerson {
            subject_id: Uuid::new_v4(),
            uses: 1,
            fields_received: 0,
            categories: cats,
        };
        let persons = vec![
            person(vec![Category::Identity, Category::Health]),
            person(vec![Category::Identity]),
        ];
        let s = AffectedSummary::of(q, "x".into(), &persons, 5, 0, at(20));
        assert_eq!(s.persons, 2);
        assert_eq!(
            s.per_category,
            vec![(Category::Identity, 2), (Category::Health, 1)]
        );
    }
}

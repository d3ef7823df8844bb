//! Retention that runs (REQUIREMENTS PR-3, PR-4, INV-17, SA-2, SA-5): rules per purpose and
//! record type, when a record falls due, and the receipts a run leaves.
//!
//! A rule names a **record type** (what it deletes), a **trigger** (the event the period
//! runs from), a **period** in months, an **action** and its **legal reference** (the duty
//! to keep records of the case, the Archives Act, the DPA's terms). A rule under **legal
//! hold** is suspended: nothing it covers falls due until the hold is lifted.
//!
//! What each action does to each record type is fixed here, so a rule cannot ask for
//! something the store cannot do:
//!
//! | record type | trigger | delete | anonymise |
//! |---|---|---|---|
//! | a citizen's data under a purpose | received; order closed | the items' values go (the rows stay for the ledger that points at them); a citizen left with nothing is erased by key | the citizen is erased by key: the ledger and the log stay, pointing to no one |
//! | an order's messages and attachments | order closed; DPA ended | bodies and files deleted, the thread's shape stays | the same |
//! | a rights case's texts | case closed | the sealed texts go, the case's dates and outcome stay | the same |
//!
//! *Review* deletes nothing: the record is listed for the privacy officer, with a receipt
//! saying it was due. Every action writes a **deletion receipt**: which rule, what kind of
//! record (by its internal id, never a name or a number), how many rows, when.

use serde::Serialize;
use uuid::Uuid;

use crate::error::{Input, Problem};
use crate::text;
use crate::time::{Date, Timestamp};

/// The shortest and longest periods a rule may have, in months.
pub const MIN_PERIOD_MONTHS: u32 = 0;
pub const MAX_PERIOD_MONTHS: u32 = 1200;
/// Days a connected system or a supplier has to confirm a deletion (INV-17: written
/// confirmation within 30 days).
pub const CONFIRMATION_DAYS: i32 = 30;
/// The first retry of a connector that failed waits this many seconds; each further
/// failure doubles it, up to [`MAX_RETRY_SECONDS`].
pub const FIRST_RETRY_SECONDS: i64 = 60;
pub const MAX_RETRY_SECONDS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    CitizenData,
    OrderMessages,
    RightsCase,
}

impl RecordType {
    pub const ALL: [RecordType; 3] = [
        RecordType::CitizenData,
        RecordType::OrderMessages,
        RecordType::RightsCase,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RecordType::CitizenData => "citizen_data",
            RecordType::OrderMessages => "order_messages",
            RecordType::RightsCase => "rights_case",
        }
    }

    pub fn parse(s: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|r| r.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            RecordType::CitizenData => "Borgerens oplysninger under formålet",
            RecordType::OrderMessages => "Bestillingens beskeder og vedhæftninger",
            RecordType::RightsCase => "Rettighedssagens tekster",
        }
    }

    /// The triggers a rule for this record type may use.
    pub fn triggers(self) -> &'static [Trigger] {
        match self {
            RecordType::CitizenData => &[Trigger::Received, Trigger::OrderClosed],
            RecordType::OrderMessages => &[Trigger::OrderClosed, Trigger::DpaEnded],
            RecordType::RightsCase => &[Trigger::CaseClosed],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// When the item was received (collected).
    Received,
    /// When the order (for a citizen's data: the citizen's last order under the purpose)
    /// was closed.
    OrderClosed,
    /// When the rights case was answered.
    CaseClosed,
    /// When the DPA the order was placed under ended.
    DpaEnded,
}

impl Trigger {
    pub const ALL: [Trigger; 4] = [
        Trigger::Received,
        Trigger::OrderClosed,
        Trigger::CaseClosed,
        Trigger::DpaEnded,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Trigger::Received => "received",
            Trigger::OrderClosed => "order_closed",
            Trigger::CaseClosed => "case_closed",
            Trigger::DpaEnded => "dpa_ended",
        }
    }

    pub fn parse(s: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            Trigger::Received => "Modtaget",
            Trigger::OrderClosed => "Bestilling afsluttet",
            Trigger::CaseClosed => "Sag afsluttet",
            Trigger::DpaEnded => "Databehandleraftale ophørt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionAction {
    Delete,
    Anonymise,
    Review,
}

impl RetentionAction {
    pub const ALL: [RetentionAction; 3] = [
        RetentionAction::Delete,
        RetentionAction::Anonymise,
        RetentionAction::Review,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RetentionAction::Delete => "delete",
            RetentionAction::Anonymise => "anonymise",
            RetentionAction::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<RetentionAction> {
        RetentionAction::ALL
            .into_iter()
            .find(|a| a.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            RetentionAction::Delete => "Slet",
            RetentionAction::Anonymise => "Anonymisér",
            RetentionAction::Review => "Gennemgå",
        }
    }
}

/// A retention rule as it is written: checked input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInput {
    pub record_type: RecordType,
    /// The purpose whose data the rule covers; none for every purpose.
    pub purpose_id: Option<Uuid>,
    pub trigger: Trigger,
    pub period_months: u32,
    pub action: RetentionAction,
    pub legal_reference: String,
    pub legal_hold: bool,
}

impl RuleInput {
    pub fn check(&self) -> Result<(), Problem> {
        if !self.record_type.triggers().contains(&self.trigger) {
            return Err(Problem::BadRetentionTrigger);
        }
        if self.period_months > MAX_PERIOD_MONTHS {
            return Err(Problem::RetentionPeriod {
                min: MIN_PERIOD_MONTHS,
                max: MAX_PERIOD_MONTHS,
            });
        }
        text::required_line(Input::LegalReference, &self.legal_reference)?;
        Ok(())
    }
}

/// A rule as stored.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionRule {
    pub id: Uuid,
    #[serde(flatten)]
    pub rule: RuleInput,
    pub purpose_name: Option<String>,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
}

/// The last day a record is kept: `period_months` after the day its trigger happened (in
/// Copenhagen). It falls due the day after.
pub fn keep_until(triggered_at: Timestamp, period_months: u32) -> Date {
    let months = i32::try_from(period_months).unwrap_or(i32::MAX);
    triggered_at.local_date().plus_months(months)
}

/// Whether a record whose trigger happened at `triggered_at` is due under a rule on
/// `today`: the period has run out and the rule is not under legal hold.
pub fn is_due(triggered_at: Timestamp, period_months: u32, legal_hold: bool, today: Date) -> bool {
    !legal_hold && today > keep_until(triggered_at, period_months)
}

/// When a connector that has failed `attempts` times is tried again.
pub fn next_attempt(last: Timestamp, attempts: u32) -> Timestamp {
    let exp = attempts.saturating_sub(1).min(20);
    let wait = FIRST_RETRY_SECONDS
        .saturating_mul(1_i64 << exp)
        .min(MAX_RETRY_SECONDS);
    last.plus_seconds(wait)
}

/// One action a run took (or, in a dry run, would take).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub id: Uuid,
    pub rule_id: Uuid,
    pub record_type: RecordType,
    pub action: RetentionAction,
    /// The internal id of what was acted on (a citizen, an order, a case): no personal data.
    pub object_id: Uuid,
    /// Rows deleted or anonymised.
    pub rows: u64,
    /// The day the record was kept until.
    pub kept_until: Date,
    pub at: Timestamp,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub dry_run: bool,
    pub receipts: Vec<Receipt>,
    /// Deliveries of receipts to connected systems made in this run, and those still
    /// pending (failed, to be retried).
    pub delivered: u64,
    pub pending: u64,
    /// Raw copies of invoices deleted (the procurement-data collaboration's own rule: five
    /// years after receipt, or thirty days after the participation ended). Only a run for
    /// every municipality (the keeper, the command line) applies it.
    pub invoice_copies_deleted: u64,
}

/// A receipt's delivery to a connected system.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub receipt_id: Uuid,
    pub connector: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
    pub next_attempt_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Date {
        Date::from_ymd(y, m, d).expect("date")
    }

    #[test]
    fn due_the_day_after_the_period() {
        // 2026-01-31 12:00 UTC.
        let t = Timestamp(1_769_860_800 * Timestamp::MICROS_PER_SECOND);
        assert_eq!(keep_until(t, 1), day(2026, 2, 28));
        assert!(!is_due(t, 1, false, day(2026, 2, 28)));
        assert!(is_due(t, 1, false, day(2026, 3, 1)));
        assert!(!is_due(t, 1, true, day(2030, 1, 1)));
        assert!(is_due(t, 0, false, day(2026, 2, 1)));
    }

    #[test]
    fn rules_are_checked() {
        let rule = RuleInput {
            record_type: RecordType::OrderMessages,
            purpose_id: None,
            trigger: Trigger::OrderClosed,
            period_months: 12,
            action: RetentionAction::Delete,
            legal_reference: "Arkivloven § 5".into(),
            legal_hold: false,
        };
        assert_eq!(rule.check(), Ok(()));
        let bad_trigger = RuleInput {
            trigger: Trigger::Received,
            ..rule.clone()
        };
        assert_eq!(bad_trigger.check(), Err(Problem::BadRetentionTrigger));
        let long = RuleInput {
            period_months: MAX_PERIOD_MONTHS + 1,
            ..rule.clone()
        };
        assert!(matches!(long.check(), Err(Problem::RetentionPeriod { .. })));
        let no_reference = RuleInput {
            legal_reference: " ".into(),
            ..rule
        };
        assert_eq!(
            no_reference.check(),
            Err(Problem::Required(Input::LegalReference))
        );
    }

    #[test]
    fn retries_back_off_to_a_day() {
        let t = Timestamp(0);
        assert_eq!(next_attempt(t, 1), t.plus_seconds(60));
        assert_eq!(next_attempt(t, 2), t.plus_seconds(120));
        assert_eq!(next_attempt(t, 40), t.plus_seconds(24 * 3600));
    }
}

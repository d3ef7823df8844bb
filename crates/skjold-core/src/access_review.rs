//! The half-yearly access review (SA-3): every user's role confirmed by an administrator,
//! or suspended, with its deadlines.

use serde::Serialize;
use uuid::Uuid;

use crate::actor::Role;
use crate::time::{Date, Timestamp};

/// A user whose role confirmation is due, for the access review.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub roles_confirmed_at: Option<i64>,
    pub suspended_at: Option<i64>,
}

/// One recorded access-review decision.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewDecision {
    pub username: String,
    pub role: String,
    pub decision: String,
    pub reviewer: Option<String>,
    pub note: String,
    pub at: Timestamp,
}

/// How long a confirmation lasts.
pub const REVIEW_MONTHS: i32 = 6;

/// How early a coming deadline is listed as due.
pub const DUE_SOON_DAYS: i32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Suspended for want of a confirmation, or revoked.
    Inactive,
    /// The deadline is within [`DUE_SOON_DAYS`].
    Due,
    Current,
}

/// One user in the review.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub confirmed_on: Option<Date>,
    /// The last day the current confirmation covers.
    pub deadline: Option<Date>,
    pub suspended_on: Option<Date>,
    pub state: ReviewState,
}

#[derive(Debug, Serialize)]
pub struct AccessReview {
    pub items: Vec<ReviewItem>,
    pub decisions: Vec<ReviewDecision>,
}

impl AccessReview {
    pub fn due(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.state == ReviewState::Due)
            .count()
    }
}

/// Confirmations before this instant have lapsed: one given on a day covers that day and
/// the following six months less a day.
pub fn review_cutoff(now: Timestamp) -> Timestamp {
    now.local_date()
        .plus_months(-REVIEW_MONTHS)
        .plus_days(1)
        .start_local()
}

pub fn item(r: ReviewRow, today: Date) -> Option<ReviewItem> {
    let role = Role::parse(&r.role)?;
    let confirmed_on = r.roles_confirmed_at.map(|t| Timestamp(t).local_date());
    let deadline = confirmed_on.map(|d| d.plus_months(REVIEW_MONTHS).plus_days(-1));
    let state = if !r.active {
        ReviewState::Inactive
    } else if deadline.is_none_or(|d| d <= today.plus_days(DUE_SOON_DAYS)) {
        ReviewState::Due
    } else {
        ReviewState::Current
    };
    Some(ReviewItem {
        user_id: r.user_id,
        username: r.username,
        display_name: r.display_name,
        role,
        confirmed_on,
        deadline,
        suspended_on: r.suspended_at.map(|t| Timestamp(t).local_date()),
        state,
    })
}

//! The access review (SA-3): an administrator confirms every user's role at least every
//! six months. A user not confirmed in time is suspended automatically; every decision is
//! recorded.

use serde::Serialize;
use uuid::Uuid;

use skjold_core::{Date, Role, Timestamp};
use skjold_store::security::{ReviewDecision, ReviewRow};

use crate::ops::require_admin;
use crate::{Actor, App, AppError};

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

impl App {
    /// The review of every user of the administrator's authority, what is due first.
    /// Overdue users are suspended before the list is made.
    pub async fn access_review(&self, actor: &Actor) -> Result<AccessReview, AppError> {
        require_admin(actor)?;
        self.suspend_overdue().await?;
        let orgs = self.own_organisations(actor).await?;
        let today = self.now().local_date();
        let mut items: Vec<ReviewItem> = self
            .store
            .review_rows(&orgs)
            .await?
            .into_iter()
            .filter_map(|r| item(r, today))
            .collect();
        items.sort_by_key(|i| {
            let rank = match i.state {
                ReviewState::Due => 0,
                ReviewState::Inactive => 1,
                ReviewState::Current => 2,
            };
            (rank, i.deadline)
        });
        Ok(AccessReview {
            items,
            decisions: self.store.review_decisions(&orgs).await?,
        })
    }

    /// Confirms (`confirm = true`) or revokes a user's role. Confirming a suspended user
    /// reinstates them; revoking ends their access and sessions. A revocation needs a note.
    pub async fn review_user(
        &self,
        actor: &Actor,
        user_id: Uuid,
        confirm: bool,
        note: &str,
    ) -> Result<(), AppError> {
        require_admin(actor)?;
        let orgs = self.own_organisations(actor).await?;
        let row = self
            .store
            .review_rows(&orgs)
            .await?
            .into_iter()
            .find(|r| r.user_id == user_id)
            .ok_or_else(|| {
                AppError::not_found("user_not_found", "brugeren findes ikke hos jeres myndighed")
            })?;
        let note = note.trim();
        if !confirm && note.chars().count() < 5 {
            return Err(AppError::invalid(
                "note_required",
                "skriv hvorfor rollen fjernes (mindst 5 tegn)",
            ));
        }
        let role = Role::parse(&row.role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {}", row.role)))?;
        let decision = if confirm { "confirmed" } else { "revoked" };
        Ok(self
            .store
            .decide_review(
                user_id,
                role,
                decision,
                Some(actor.user_id),
                note,
                self.now(),
            )
            .await?)
    }

    /// Confirms a user's role from the command line (the operator's way back in when the
    /// only administrator has been suspended).
    pub async fn confirm_roles_as_operator(
        &self,
        username: &str,
        note: &str,
    ) -> Result<(), AppError> {
        let user = self
            .store
            .users_everywhere()
            .await?
            .into_iter()
            .find(|u| u.username == username)
            .ok_or_else(|| {
                AppError::not_found(
                    "user_not_found",
                    format!("brugeren «{username}» findes ikke"),
                )
            })?;
        Ok(self
            .store
            .decide_review(user.id, user.role, "confirmed", None, note, self.now())
            .await?)
    }

    /// Suspends every active user whose confirmation is older than [`REVIEW_MONTHS`], and
    /// returns how many. Run daily by the server and before every review listing.
    pub async fn suspend_overdue(&self) -> Result<usize, AppError> {
        let now = self.now();
        let cutoff = review_cutoff(now);
        let overdue = self.store.overdue_reviews(cutoff).await?;
        for r in &overdue {
            let role = Role::parse(&r.role).unwrap_or(Role::Caseworker);
            self.store
                .decide_review(
                    r.user_id,
                    role,
                    "suspended",
                    None,
                    &format!("rollen er ikke bekræftet inden for {REVIEW_MONTHS} måneder"),
                    now,
                )
                .await?;
            tracing::warn!(user = %r.username, "suspended: role not confirmed in time");
        }
        Ok(overdue.len())
    }
}

/// Confirmations before this instant have lapsed: one given on a day covers that day and
/// the following six months less a day.
fn review_cutoff(now: Timestamp) -> Timestamp {
    now.local_date()
        .plus_months(-REVIEW_MONTHS)
        .plus_days(1)
        .start_local()
}

fn item(r: ReviewRow, today: Date) -> Option<ReviewItem> {
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

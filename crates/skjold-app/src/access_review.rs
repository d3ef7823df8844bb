//! The access review (SA-3): an administrator confirms every user's role at least every
//! six months. A user not confirmed in time is suspended automatically; every decision is
//! recorded.

use uuid::Uuid;

use skjold_core::access_review::{
    AccessReview, REVIEW_MONTHS, ReviewItem, ReviewState, item, review_cutoff,
};
use skjold_core::text::{self, MAX_TEXT, MIN_NOTE};
use skjold_core::{Action, Actor, Input, Problem, Role};

use crate::{App, AppError, require};

impl App {
    /// The review of every user of the administrator's authority, what is due first.
    /// Overdue users are suspended before the list is made.
    pub async fn access_review(&self, actor: &Actor) -> Result<AccessReview, AppError> {
        require(actor, Action::ReviewAccess)?;
        self.suspend_overdue().await?;
        let orgs = self.own_organisations(actor).await?;
        let today = self.now().local_date();
        let mut items: Vec<ReviewItem> = self
            .store()
            .directory()
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
            decisions: self.store().directory().review_decisions(&orgs).await?,
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
        require(actor, Action::ReviewAccess)?;
        let orgs = self.own_organisations(actor).await?;
        let row = self
            .store()
            .directory()
            .review_rows(&orgs)
            .await?
            .into_iter()
            .find(|r| r.user_id == user_id)
            .ok_or(AppError::Refused(Problem::UserNotFound(None)))?;
        let note = if confirm {
            text::text(Input::Note, note, MAX_TEXT)?
        } else {
            text::at_least(Input::Note, note, MIN_NOTE)?
        };
        let role = Role::parse(&row.role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {}", row.role)))?;
        let decision = if confirm { "confirmed" } else { "revoked" };
        Ok(self
            .store()
            .directory()
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
            .store()
            .directory()
            .users_everywhere()
            .await?
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .ok_or_else(|| Problem::UserNotFound(Some(username.to_owned())))?;
        let note = text::text(Input::Note, note, MAX_TEXT)?;
        Ok(self
            .store()
            .directory()
            .decide_review(user.id, user.role, "confirmed", None, note, self.now())
            .await?)
    }

    /// Suspends every active user whose confirmation is older than [`REVIEW_MONTHS`], and
    /// returns how many. Run daily by the server and before every review listing.
    pub async fn suspend_overdue(&self) -> Result<usize, AppError> {
        let now = self.now();
        let cutoff = review_cutoff(now);
        let overdue = self.store().directory().overdue_reviews(cutoff).await?;
        for r in &overdue {
            let role = Role::parse(&r.role).unwrap_or(Role::Caseworker);
            self.store()
                .directory()
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

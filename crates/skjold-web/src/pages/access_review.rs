//! The half-yearly access review: the administrator confirms or removes each user's role.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_core::Problem;
use skjold_core::Role;
use skjold_core::access_review::{AccessReview, ReviewState};

use super::PagePath;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with};
use crate::AppState;
use crate::session::{CsrfForm, WebUser};

#[derive(Template)]
#[template(path = "access_review/access_review.html")]
struct ReviewPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    review: AccessReview,
}

impl ReviewPage {
    fn state(&self, s: &ReviewState) -> &'static str {
        match s {
            ReviewState::Due => "Skal bekræftes",
            ReviewState::Inactive => "Deaktiveret",
            ReviewState::Current => "Bekræftet",
        }
    }

    fn decision(&self, d: &str) -> &'static str {
        match d {
            "confirmed" => "Rolle bekræftet",
            "revoked" => "Rolle fjernet",
            "suspended" => "Suspenderet automatisk",
            _ => "Anden",
        }
    }

    fn role(&self, key: &str) -> &'static str {
        Role::parse(key).map_or("", Role::danish)
    }
}

pub(crate) async fn review_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    match state.app.access_review(&user.actor).await {
        Ok(review) => page_with(
            &error,
            &ReviewPage {
                layout: Layout::for_user(user, "/admin/gennemgang").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                review,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn review(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    review_page(&state, &user, &flash, None).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let result = async {
        let confirm = match f.decision.as_str() {
            "confirm" => true,
            "revoke" => false,
            _ => return Err(Problem::BadDecision.into()),
        };
        state
            .app
            .review_user(&user.actor, id, confirm, &f.note)
            .await?;
        Ok("/admin/gennemgang?ok=gennemgaaet".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

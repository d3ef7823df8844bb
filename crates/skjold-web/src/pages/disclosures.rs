//! Disclosing one more field of an order on the caseworker's justified decision (LP-4).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::PagePath;
use super::orders::order_page;
use super::{NO_FLASH, answer};
use crate::AppState;
use crate::session::CsrfForm;

#[derive(Deserialize)]
pub struct DiscloseForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    justification: String,
}

pub async fn disclose(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, form): CsrfForm<DiscloseForm>,
) -> Response {
    let result = state
        .app
        .disclose(&user.actor, id, &form.field, &form.justification)
        .await;
    answer(
        &user,
        result.map(|()| format!("/bestillinger/{id}?ok=videregivet")),
        |error| order_page(&state, &user, id, &NO_FLASH, Some(error), None),
    )
    .await
}

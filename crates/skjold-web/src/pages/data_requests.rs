//! Data requests (LP-5): the supplier asks for more fields through the order's thread; the
//! caseworker approves (the fields become manual disclosures) or rejects with a reason.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_core::Problem;
use skjold_core::error::IdInput;

use super::PagePath;
use super::orders::{order_page, supplier_order_page};
use super::{NO_FLASH, answer, error_page, parse_id};
use crate::AppState;
use crate::session::CsrfForm;

pub async fn request(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let fields: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("field."))
        .map(str::to_owned)
        .collect();
    let reason = f.get("reason").map_or("", String::as_str);
    let result = state
        .app
        .request_data(&user.actor, id, &fields, reason)
        .await;
    answer(
        &user,
        result.map(|_| format!("/leverandoer/bestillinger/{id}?ok=anmodet#beskeder")),
        |error| supplier_order_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let order = match parse_id(&f.order_id, IdInput::Order) {
        Ok(o) => o,
        Err(e) => return error_page(Some(&user), e),
    };
    let result = match f.decision.as_str() {
        "approve" | "reject" => {
            let approve = f.decision == "approve";
            state
                .app
                .decide_request(&user.actor, id, approve, &f.reason)
                .await
        }
        _ => Err(Problem::BadDecision.into()),
    };
    answer(
        &user,
        result.map(|()| format!("/bestillinger/{order}?ok=afgjort#beskeder")),
        |error| order_page(&state, &user, order, &NO_FLASH, Some(error), None),
    )
    .await
}

//! Data requests (LP-5): the supplier asks for more fields through the order's thread; the
//! caseworker decides each field: approves it (it becomes a manual disclosure) or rejects
//! it with a reason.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use skjold_app::data_requests::FieldDecisionInput;
use skjold_core::FieldKey;
use skjold_core::error::IdInput;

use super::PagePath;
use super::orders::{order_page_with, supplier_order_page};
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

/// What the caseworker typed on a request's form: per requested field, the chosen
/// decision (`decision.<field>`: `approve` or `reject`) and the text (`reason.<field>`).
/// Every row of the form posts its text box, so every requested field is named even when
/// no decision was chosen for it. Shown again as typed when the form is refused.
pub(crate) struct TypedDecisions {
    pub request: Uuid,
    pub fields: Vec<FieldDecisionInput>,
}

impl TypedDecisions {
    fn from_form(request: Uuid, f: &HashMap<String, String>) -> TypedDecisions {
        let mut keys: Vec<&str> = f
            .keys()
            .filter_map(|k| {
                k.strip_prefix("decision.")
                    .or_else(|| k.strip_prefix("reason."))
            })
            .collect();
        // In the taxonomy's order (the order of the form's rows); unknown names last.
        let place = |k: &str| {
            k.parse::<FieldKey>()
                .ok()
                .and_then(|f| FieldKey::ALL.iter().position(|a| *a == f))
                .unwrap_or(usize::MAX)
        };
        keys.sort_by_key(|k| (place(k), *k));
        keys.dedup();
        let text = |k: String| f.get(&k).cloned().unwrap_or_default();
        TypedDecisions {
            request,
            fields: keys
                .into_iter()
                .map(|k| FieldDecisionInput {
                    field: k.to_owned(),
                    decision: text(format!("decision.{k}")),
                    reason: text(format!("reason.{k}")),
                })
                .collect(),
        }
    }

    /// The decision and the text typed for `field` of `request`, if this is that form.
    pub(crate) fn of(&self, request: Uuid, field: FieldKey) -> Option<&FieldDecisionInput> {
        if request != self.request {
            return None;
        }
        self.fields.iter().find(|d| d.field == field.key())
    }
}

pub async fn decide(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let order = match parse_id(f.get("order_id").map_or("", String::as_str), IdInput::Order) {
        Ok(o) => o,
        Err(e) => return error_page(Some(&user), e),
    };
    let typed = TypedDecisions::from_form(id, &f);
    let result = state
        .app
        .decide_request(&user.actor, id, &typed.fields)
        .await;
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{order}?ok=afgjort#beskeder")),
        |error| {
            order_page_with(
                &state,
                &user,
                order,
                &NO_FLASH,
                Some(error),
                None,
                Some(typed),
            )
        },
    )
    .await
}

//! Data requests decided field by field (LP-5), on SQLite and PostgreSQL: the caseworker
//! approves some requested fields and rejects others, each rejection with its reason; only
//! the approved fields are disclosed, and the supplier and the citizen see what came of
//! each field. A refused decision changes nothing; another unit's caseworker and the
//! suppliers cannot decide; a decided request cannot be decided again.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::World;
use crate::common::http::html_escape;
use skjold_app::AppError;
use skjold_app::data_requests::FieldDecisionInput;
use skjold_app::demo::DEMO_PASSWORD;
use skjold_app::oversight::OversightQuery;
use skjold_core::FieldKey;
use skjold_core::disclosures::DisclosureKind;
use skjold_store::Backend;

crate::on_both_backends!(
    a_request_is_decided_field_by_field,
    a_refused_decision_changes_nothing_and_keeps_what_was_typed,
    only_the_orders_unit_decides_and_only_once,
);

const PERSON: usize = 6;
const WHY: &str = "Mentoren skal besøge borgeren og kende familiens situation";
const REMARK: &str = "Hjemmebesøg er aftalt med borgeren";
const NO_PHONE: &str = "Borgeren vil kun kontaktes gennem jobcentret";
const NO_FAMILY: &str = "Familieforholdene er ikke nødvendige for mentorforløbet";

fn code(e: AppError) -> &'static str {
    e.code()
}

/// A Mentorhuset order on the citizen, and its supplier's request for three fields.
async fn asked(w: &World) -> (Uuid, Uuid) {
    let cw = w.actor("sagsbehandler").await;
    let c = &w.demo.citizens[PERSON];
    w.search(&cw, c).await;
    let order = w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await;
    let supplier = w.actor("mentorhuset").await;
    let request = w
        .app
        .request_data(
            &supplier,
            order,
            &["address".into(), "phone".into(), "family_situation".into()],
            WHY,
        )
        .await
        .expect("request");
    (order, request)
}

/// The order's manual disclosures in the ledger: field and justification.
async fn manual(w: &World, order: Uuid) -> Vec<(FieldKey, String)> {
    let dpo = w.actor("dpo").await;
    w.app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries
        .into_iter()
        .filter(|l| l.order_id == order && l.kind == DisclosureKind::Manual)
        .filter_map(|l| Some((l.field?, l.justification.unwrap_or_default())))
        .collect()
}

/// What a decision could have changed: the manual disclosures, the request's status and
/// the thread's messages.
async fn state(w: &World, order: Uuid) -> (Vec<(FieldKey, String)>, String, usize) {
    let cw = w.actor("sagsbehandler").await;
    let t = w.app.thread(&cw, order).await.expect("thread");
    (
        manual(w, order).await,
        t.requests[0].status.clone(),
        t.messages.len(),
    )
}

async fn a_request_is_decided_field_by_field(backend: Backend) {
    let mut w = World::new(backend, 8).await;
    let (order, request) = asked(&w).await;
    let citizen = w.demo.citizens[PERSON].clone();

    // The caseworker's page: one row per field, each with Godkend / Afvis and a reason.
    let cw = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let page = cw.get(&format!("/bestillinger/{order}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for f in ["address", "phone", "family_situation"] {
        assert!(
            page.body
                .contains(&format!("name=\"decision.{f}\" value=\"approve\""))
        );
        assert!(
            page.body
                .contains(&format!("name=\"decision.{f}\" value=\"reject\""))
        );
        assert!(page.body.contains(&format!("name=\"reason.{f}\"")));
    }
    assert!(page.body.contains("Gem afgørelsen"));

    // Address approved with a remark, phone and family situation rejected with reasons.
    let decided = cw
        .post_form(
            &format!("/anmodninger/{request}"),
            &[
                ("order_id", &order.to_string()),
                ("decision.address", "approve"),
                ("reason.address", REMARK),
                ("decision.phone", "reject"),
                ("reason.phone", NO_PHONE),
                ("decision.family_situation", "reject"),
                ("reason.family_situation", NO_FAMILY),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);

    // The ledger holds exactly the approved field, as a manual disclosure carrying the
    // supplier's reason and the caseworker's remark.
    let ledger = manual(&w, order).await;
    assert_eq!(
        ledger.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        [FieldKey::Address]
    );
    assert!(ledger[0].1.contains(WHY) && ledger[0].1.contains(REMARK));

    // The supplier sees the approved value and not the rejected ones, and why.
    let supplier = w.actor("mentorhuset").await;
    let seen = w.app.supplier_order(&supplier, order).await.expect("order");
    assert!(
        seen.fields
            .iter()
            .any(|f| f.field == FieldKey::Address && f.value == citizen.address)
    );
    assert!(
        !seen
            .fields
            .iter()
            .any(|f| matches!(f.field, FieldKey::Phone | FieldKey::FamilySituation))
    );
    let thread = w.app.thread(&supplier, order).await.expect("thread");
    let r = &thread.requests[0];
    assert_eq!(r.status, "partly_approved");
    assert_eq!(r.status_danish(), "Delvist godkendt");
    assert_eq!(
        r.decisions
            .iter()
            .map(|d| (d.field, d.approved, d.disclosed, d.reason.as_deref()))
            .collect::<Vec<_>>(),
        [
            (FieldKey::Address, true, true, Some(REMARK)),
            (FieldKey::Phone, false, false, Some(NO_PHONE)),
            (FieldKey::FamilySituation, false, false, Some(NO_FAMILY)),
        ]
    );
    let decision = thread.messages.last().expect("the decision in the thread");
    assert_eq!(decision.kind, "decision");
    assert!(decision.body.contains("Anmodningen er delvist godkendt"));
    assert!(decision.body.contains(NO_PHONE) && decision.body.contains(NO_FAMILY));

    let sup = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let page = sup.get(&format!("/leverandoer/bestillinger/{order}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Delvist godkendt"));
    assert!(page.body.contains(&html_escape(&citizen.address)));
    assert!(!page.body.contains(&html_escape(&citizen.phone)));
    assert!(page.body.contains("Godkendt og videregivet"));
    assert!(
        page.body
            .contains(&format!("Bemærkning: {}", html_escape(REMARK)))
    );
    assert!(
        page.body
            .contains(&format!("Begrundelse: {}", html_escape(NO_PHONE)))
    );
    assert!(
        page.body
            .contains(&format!("Begrundelse: {}", html_escape(NO_FAMILY)))
    );
    assert!(!page.body.contains(&request.to_string()), "no ids shown");
    assert!(!page.body.contains("partly_approved"));

    // The API says the same, per field.
    let api = w.api("mentorhuset").await;
    let t = api.get(&format!("/api/v1/orders/{order}/thread")).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let r = &t.json()["requests"][0];
    assert_eq!(r["status"], "partly_approved");
    assert_eq!(
        r["decisions"],
        json!([
            { "field": "address", "decision": "approved", "reason": REMARK, "disclosed": true },
            { "field": "phone", "decision": "rejected", "reason": NO_PHONE, "disclosed": false },
            { "field": "family_situation", "decision": "rejected", "reason": NO_FAMILY, "disclosed": false },
        ])
    );

    // Through the API: all approved is "approved", all rejected is "rejected".
    let cw_api = w.api("sagsbehandler").await;
    let health = w
        .app
        .request_data(&supplier, order, &["health".into()], WHY)
        .await
        .expect("request");
    let r = cw_api
        .post_json(
            &format!("/api/v1/data-requests/{health}/decision"),
            &json!({ "fields": [{ "field": "health", "decision": "approve" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({ "decided": health.to_string(), "status": "approved" })
    );
    let substance = w
        .app
        .request_data(&supplier, order, &["substance_abuse".into()], WHY)
        .await
        .expect("request");
    let r = cw_api
        .post_json(
            &format!("/api/v1/data-requests/{substance}/decision"),
            &json!({ "fields": [{ "field": "substance_abuse", "decision": "reject", "reason": NO_FAMILY }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "rejected");
    let fields: Vec<FieldKey> = manual(&w, order)
        .await
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert!(fields.contains(&FieldKey::Health) && !fields.contains(&FieldKey::Substance));

    // The citizen sees whom the approved field went to and why; nothing of the rejected.
    let provider = w.citizen_provider().await;
    let me = w
        .citizen_browser(&provider, PERSON)
        .await
        .0
        .expect("signed in");
    let recipients = me.get("/borger/modtagere").await;
    assert_eq!(recipients.status, StatusCode::OK);
    assert!(recipients.body.contains(&html_escape(REMARK)));
    assert!(
        recipients
            .body
            .contains(&html_escape(FieldKey::Address.danish()))
    );
    assert!(!recipients.body.contains(&html_escape(NO_PHONE)));
    assert!(
        !recipients
            .body
            .contains(&html_escape(FieldKey::FamilySituation.danish()))
    );
    w.done().await;
}

async fn a_refused_decision_changes_nothing_and_keeps_what_was_typed(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (order, request) = asked(&w).await;
    let before = state(&w, order).await;
    assert_eq!(before.1, "open");
    let cw = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let path = format!("/anmodninger/{request}");
    let order_id = order.to_string();

    // A rejected field without a reason: the error is tied to that field's reason box, and
    // what was typed comes back.
    let r = cw
        .post_form(
            &path,
            &[
                ("order_id", &order_id),
                ("decision.address", "approve"),
                ("reason.address", REMARK),
                ("decision.phone", "reject"),
                ("reason.phone", ""),
                ("decision.family_situation", "reject"),
                ("reason.family_situation", NO_FAMILY),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("data-error-field=\"reason.phone\""),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Skriv, hvorfor telefon afvises"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!(">{}</textarea>", html_escape(REMARK)))
    );
    assert!(
        r.body
            .contains(&format!(">{}</textarea>", html_escape(NO_FAMILY)))
    );
    assert!(
        r.body
            .contains("name=\"decision.address\" value=\"approve\" checked")
    );
    assert!(
        r.body
            .contains("name=\"decision.phone\" value=\"reject\" checked")
    );
    assert!(!r.body.contains("field_decision") && !r.body.contains("reason_required"));
    assert_eq!(state(&w, order).await, before);

    // A field left undecided: the error is tied to its choice.
    let r = cw
        .post_form(
            &path,
            &[
                ("order_id", &order_id),
                ("decision.address", "approve"),
                ("reason.address", ""),
                ("decision.phone", "reject"),
                ("reason.phone", NO_PHONE),
                ("reason.family_situation", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("data-error-field=\"decision.family_situation\"")
    );
    assert!(
        r.body.contains("Vælg Godkend eller Afvis ved"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!(">{}</textarea>", html_escape(NO_PHONE)))
    );
    assert_eq!(state(&w, order).await, before);

    // Through the API: a field not asked for, one decided twice, one left out, a
    // decision that is neither, a rejection without a reason.
    let api = w.api("sagsbehandler").await;
    let decide = |fields: Value| {
        let api = api.clone();
        let path = format!("/api/v1/data-requests/{request}/decision");
        async move { api.post_json(&path, &json!({ "fields": fields })).await }
    };
    let approve = |f: &str| json!({ "field": f, "decision": "approve" });
    let reject = |f: &str| json!({ "field": f, "decision": "reject", "reason": NO_FAMILY });
    decide(json!([
        approve("address"),
        approve("phone"),
        approve("family_situation"),
        approve("email")
    ]))
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "field_not_requested");
    decide(json!([
        approve("address"),
        reject("address"),
        approve("phone"),
        approve("family_situation")
    ]))
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "field_repeated");
    decide(json!([approve("address"), approve("phone")]))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "field_undecided");
    decide(json!([]))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "fields_required");
    decide(json!([
        approve("address"),
        { "field": "phone", "decision": "reject", "reason": "nej" },
        approve("family_situation")
    ]))
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "reason_required");
    let r = decide(json!([
        approve("address"),
        { "field": "phone", "decision": "maybe" },
        approve("family_situation")
    ]))
    .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = decide(json!([
        approve("address"),
        { "field": "phone", "decision": "reject" },
        approve("family_situation")
    ]))
    .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "reason_required");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("telefon"))
    );
    assert_eq!(state(&w, order).await, before);
    w.done().await;
}

async fn only_the_orders_unit_decides_and_only_once(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (order, request) = asked(&w).await;
    let before = state(&w, order).await;
    let all = [
        FieldDecisionInput::approve("address", ""),
        FieldDecisionInput::approve("phone", ""),
        FieldDecisionInput::reject("family_situation", NO_FAMILY),
    ];

    // Another unit's caseworker does not find the request; suppliers may not decide.
    let syd = w.actor("sagsbehandler2").await;
    assert_eq!(
        w.app
            .decide_request(&syd, request, &all)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    for supplier in ["mentorhuset", "praktikpartner", "kompetencecentret"] {
        let s = w.actor(supplier).await;
        assert_eq!(
            w.app
                .decide_request(&s, request, &all)
                .await
                .map_err(code)
                .err(),
            Some("role_not_allowed"),
            "{supplier}"
        );
    }
    let body = json!({ "fields": [
        { "field": "address", "decision": "approve" },
        { "field": "phone", "decision": "approve" },
        { "field": "family_situation", "decision": "approve" },
    ] });
    let path = format!("/api/v1/data-requests/{request}/decision");
    let r = w.api("sagsbehandler2").await.post_json(&path, &body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = w.api("mentorhuset").await.post_json(&path, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let syd_browser = w.browser("sagsbehandler2", DEMO_PASSWORD).await;
    let r = syd_browser
        .post_form(
            &format!("/anmodninger/{request}"),
            &[
                ("order_id", &order.to_string()),
                ("decision.address", "approve"),
                ("reason.address", ""),
                ("decision.phone", "approve"),
                ("reason.phone", ""),
                ("decision.family_situation", "approve"),
                ("reason.family_situation", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        !r.body
            .contains(&html_escape(&w.demo.citizens[PERSON].address))
    );
    assert_eq!(state(&w, order).await, before);

    // The unit's caseworker decides; then the request is decided for good.
    let cw = w.actor("sagsbehandler").await;
    assert_eq!(
        w.app.decide_request(&cw, request, &all).await.map_err(code),
        Ok(skjold_core::data_requests::RequestStatus::PartlyApproved)
    );
    let decided = state(&w, order).await;
    assert_eq!(decided.1, "partly_approved");
    assert_eq!(
        w.app
            .decide_request(&cw, request, &all)
            .await
            .map_err(code)
            .err(),
        Some("request_decided")
    );
    w.api("sagsbehandler")
        .await
        .post_json(&path, &body)
        .await
        .assert_error(StatusCode::CONFLICT, "request_decided");
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let r = browser
        .post_form(
            &format!("/anmodninger/{request}"),
            &[
                ("order_id", &order.to_string()),
                ("decision.address", "reject"),
                ("reason.address", NO_FAMILY),
                ("decision.phone", "reject"),
                ("reason.phone", NO_FAMILY),
                ("decision.family_situation", "reject"),
                ("reason.family_situation", NO_FAMILY),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Anmodningen er allerede afgjort."));
    // The decided request has no form any more.
    assert!(
        !r.body
            .contains(&format!("action=\"/anmodninger/{request}\""))
    );
    assert_eq!(state(&w, order).await, decided);
    w.done().await;
}

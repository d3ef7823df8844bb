//! Free text is bounded everywhere: every text a caller types is refused, whole, when it is
//! longer than its limit or carries control characters, with nothing written. Over the API,
//! as each role would send it.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::World;
use crate::common::actors::Caller;
use skjold_core::text::{MAX_LINE, MAX_MESSAGE, MAX_TEXT};
use skjold_store::Backend;

crate::on_both_backends!(
    every_free_text_is_bounded,
    the_boundary_answers_in_the_error_shape
);

/// A bell: a control character no form should pass through.
const BELL: &str = "Begrundelse med et klokkesignal \u{7} midt i";

struct Case {
    who: &'static str,
    path: String,
    /// The body, with `$` where the text under test goes.
    body: Value,
    /// How many characters the text may have.
    max: usize,
    /// The code of a text one character too long.
    too_long: &'static str,
}

fn case(who: &'static str, path: impl Into<String>, body: Value, max: usize) -> Case {
    Case {
        who,
        path: path.into(),
        body,
        max,
        too_long: "text_too_long",
    }
}

/// `body` with its `"$"` replaced by `text`.
fn with(body: &Value, text: &str) -> Value {
    match body {
        Value::String(s) if s == "$" => Value::String(text.to_owned()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), with(v, text))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| with(v, text)).collect()),
        other => other.clone(),
    }
}

async fn every_free_text_is_bounded(backend: Backend) {
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[4].clone();
    w.search(&cw, &citizen).await;
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    let request = w
        .app
        .request_data(
            &w.actor("mentorhuset").await,
            order,
            &["address".into()],
            "Mentoren skal besøge borgeren",
        )
        .await
        .expect("request");
    let vest = w.actor("sagsbehandler2").await;
    let stand_in = w
        .app
        .open_stand_in(&vest, order, "Kollegaen i Nord er syg i dag")
        .await
        .expect("stand-in")
        .id;
    let purpose = w.app.purposes(&cw).await.expect("purposes")[0].id;
    let supplier = w.org("Praktikpartner A/S");
    let unit = w.org("Jobcenter København Nord");
    let c = citizen.id;
    // A rights case with the identity checked, and Mentorhuset's part of a wide one.
    let rights_case = |kind: &str| skjold_app::rights::CaseInput {
        citizen: c,
        kind: kind.into(),
        received_on: "2026-11-20".into(),
        channel: "letter".into(),
        description: "Borgerens anmodning".into(),
        ..Default::default()
    };
    let (objection, _) = w
        .app
        .open_rights_case(&cw, &rights_case("objection"))
        .await
        .expect("case");
    w.app
        .check_rights_identity(&cw, objection, "MitID")
        .await
        .expect("identity");
    let mut wide = rights_case("access");
    wide.access = Some(skjold_app::rights::AccessInput {
        wish: "my_data_broadly".into(),
        scope: "administration".into(),
        ..Default::default()
    });
    let (wide, _) = w.app.open_rights_case(&cw, &wide).await.expect("case");
    let task = w
        .app
        .rights_case(&cw, wide)
        .await
        .expect("case")
        .tasks
        .into_iter()
        .find(|t| t.supplier)
        .expect("the supplier's part")
        .id;
    let new_case = |field: &str| {
        let mut body = json!({ "citizen": c, "kind": "access", "received_at": "2026-11-20", "channel": "letter", "description": "Indsigt",
            "access": { "wish": "my_data_in_a_case", "scope": "case", "scope_detail": "Sag", "remarks": "" } });
        if field == "description" {
            body["description"] = json!("$");
        } else {
            body["access"][field] = json!("$");
        }
        body
    };
    let mut message_case = case(
        "sagsbehandler",
        format!("/api/v1/orders/{order}/messages"),
        json!({ "body": "$" }),
        MAX_MESSAGE,
    );
    message_case.too_long = "message_too_long";
    let cases = vec![
        case(
            "admin",
            "/api/v1/organisations",
            json!({ "kind": "unit", "name": "$" }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/users",
            json!({ "organisation_id": unit, "username": "ny.bruger", "display_name": "$", "role": "caseworker", "password": "en lang nok adgangskode" }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/purposes",
            json!({ "name": "$", "art6": "6.1.e" }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/purposes",
            json!({ "name": "Formål", "art6": "6.1.e", "description": "$" }),
            MAX_TEXT,
        ),
        case(
            "admin",
            "/api/v1/purposes",
            json!({ "name": "Formål", "art6": "6.1.e", "national_law": "$" }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/service-types",
            json!({ "code": "X1", "name": "$", "purpose_id": purpose }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/service-types",
            json!({ "code": "$", "name": "Ny", "purpose_id": purpose }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/dpas",
            json!({ "processor_id": supplier, "reference": "$", "starts_on": "2026-01-01" }),
            MAX_LINE,
        ),
        case(
            "admin",
            "/api/v1/dpas",
            json!({ "processor_id": supplier, "reference": "DBA-9", "instructions": "$", "starts_on": "2026-01-01" }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/orders/{order}/disclosures"),
            json!({ "field": "health", "justification": "$" }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/citizens/{c}/consents"),
            json!({ "channel": "sms", "notice_version": "$", "evidence": "Underskrevet på mødet i dag" }),
            MAX_LINE,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/citizens/{c}/consents"),
            json!({ "channel": "sms", "notice_version": "v1", "evidence": "$" }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            "/api/v1/citizens",
            json!({ "cpr": "150585-2001", "name": "$" }),
            MAX_LINE,
        ),
        case(
            "sagsbehandler",
            "/api/v1/citizens",
            json!({ "cpr": "150585-2001", "name": "Ny Borger", "data": [
                { "field": "phone", "value": "$", "source": "Borgeren", "purpose": "Beskæftigelsesindsats" }] }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/citizens/{c}/data"),
            json!({ "field": "job_goal", "value": "$", "source": "Borgeren", "purpose": "Beskæftigelsesindsats" }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/citizens/{c}/data"),
            json!({ "field": "job_goal", "value": "Kok", "source": "$", "purpose": "Beskæftigelsesindsats" }),
            MAX_LINE,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/citizens/{c}/data"),
            json!({ "field": "job_goal", "value": "Kok", "source": "Borgeren", "purpose": "$" }),
            MAX_LINE,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/orders/{order}/reminders"),
            json!({ "channel": "sms", "date": "2026-12-01", "time": "10:00", "place": "$" }),
            120,
        ),
        message_case,
        case(
            "sagsbehandler",
            format!("/api/v1/orders/{order}/messages"),
            json!({ "body": "Mødet er flyttet til tirsdag.", "confirmation": "$" }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/data-requests/{request}/decision"),
            json!({ "fields": [{ "field": "address", "decision": "reject", "reason": "$" }] }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler2",
            format!("/api/v1/orders/{order}/stand-in"),
            json!({ "reason": "$" }),
            MAX_TEXT,
        ),
        case(
            "mentorhuset",
            format!("/api/v1/orders/{order}/data-requests"),
            json!({ "fields": ["phone"], "reason": "$" }),
            MAX_TEXT,
        ),
        Case {
            too_long: "message_too_long",
            ..case(
                "mentorhuset",
                format!("/api/v1/orders/{order}/messages"),
                json!({ "body": "$" }),
                MAX_MESSAGE,
            )
        },
        case(
            "dpo",
            format!("/api/v1/stand-ins/{stand_in}/follow-up"),
            json!({ "note": "$" }),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            "/api/v1/rights-cases",
            new_case("description"),
            MAX_TEXT,
        ),
        case(
            "sagsbehandler",
            "/api/v1/rights-cases",
            new_case("scope_detail"),
            MAX_LINE,
        ),
        case("dpo", "/api/v1/rights-cases", new_case("remarks"), MAX_TEXT),
        case(
            "sagsbehandler",
            format!("/api/v1/rights-cases/{objection}/identity"),
            json!({ "method": "$" }),
            MAX_LINE,
        ),
        case(
            "sagsbehandler",
            format!("/api/v1/rights-cases/{objection}/extension"),
            json!({ "months": 1, "reason": "$" }),
            MAX_TEXT,
        ),
        case(
            "dpo",
            format!("/api/v1/rights-cases/{objection}/decision"),
            json!({ "outcome": "refused", "reasons": "$" }),
            MAX_TEXT,
        ),
        case(
            "mentorhuset",
            format!("/api/v1/rights-tasks/{task}/contribution"),
            json!({ "contribution": "$" }),
            MAX_TEXT,
        ),
    ];
    let mut callers: Vec<(&str, Caller)> = Vec::new();
    for who in [
        "admin",
        "sagsbehandler",
        "sagsbehandler2",
        "mentorhuset",
        "dpo",
    ] {
        callers.push((who, w.api(who).await));
    }
    let ledger_before = w
        .app
        .ledger(&w.actor("dpo").await, &Default::default())
        .await
        .expect("ledger")
        .entries
        .len();
    let orgs_before = w.app.organisations(&cw).await.expect("organisations").len();
    let messages_before = w
        .app
        .thread(&cw, order)
        .await
        .expect("thread")
        .messages
        .len();
    for case in &cases {
        let caller = &callers
            .iter()
            .find(|(w, _)| *w == case.who)
            .expect("caller")
            .1;
        let mut long = "a".repeat(case.max);
        long.push('b');
        for (text, code) in [(long.as_str(), case.too_long), (BELL, "control_characters")] {
            let reply = caller.post_json(&case.path, &with(&case.body, text)).await;
            let context = format!(
                "{} {} ({} chars)",
                case.who,
                case.path,
                text.chars().count()
            );
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{context}: {}",
                reply.body
            );
            assert_eq!(
                reply.error_code().as_deref(),
                Some(code),
                "{context}: {}",
                reply.body
            );
        }
    }
    // Nothing of the refused requests was written.
    assert_eq!(
        w.app.organisations(&cw).await.expect("organisations").len(),
        orgs_before
    );
    let ledger_after = w
        .app
        .ledger(&w.actor("dpo").await, &Default::default())
        .await
        .expect("ledger")
        .entries
        .len();
    assert_eq!(ledger_after, ledger_before, "no disclosure went through");
    let thread = w.app.thread(&cw, order).await.expect("thread");
    assert_eq!(
        thread.messages.len(),
        messages_before,
        "no message went through"
    );
    let cases = w.app.rights_cases(&cw).await.expect("cases");
    assert_eq!(cases.len(), 2, "no rights case was registered");
    let objection = w.app.rights_case(&cw, objection).await.expect("case");
    assert!(!objection.summary.extended && objection.reasons.is_none());
    assert_eq!(objection.identity_method.as_deref(), Some("MitID"));
    let wide = w.app.rights_case(&cw, wide).await.expect("case");
    assert!(wide.tasks.iter().all(|t| t.contribution.is_none()));
    w.done().await;
}

/// What the boundary itself refuses answers in the documented shape too: no such address,
/// a method the address does not take, a body that is not JSON, not JSON's content type, or
/// too large, and an id that is no id. In the caller's language.
async fn the_boundary_answers_in_the_error_shape(backend: Backend) {
    use axum::http::Method;

    use crate::common::http::{call, router};

    let w = World::new(backend, 2).await;
    let router = router(&w);
    let token = w
        .app
        .create_api_token("sagsbehandler", "boundary")
        .await
        .expect("token");
    let json = "application/json";
    let big = format!("{{\"cpr\": \"{}\"}}", "1".repeat(3 * 1024 * 1024));
    for (method, path, body, status, code) in [
        (
            Method::GET,
            "/api/v1/ingenting",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/api/v1/orders/ikke-et-id",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::DELETE,
            "/api/v1/orders",
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::POST,
            "/api/v1/citizens/search",
            Some((json, "{".to_owned())),
            StatusCode::BAD_REQUEST,
            "bad_request_body",
        ),
        (
            Method::POST,
            "/api/v1/citizens/search",
            Some((json, "{\"cpr\": 5}".to_owned())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request_body",
        ),
        (
            Method::POST,
            "/api/v1/citizens/search",
            Some(("text/plain", "{}".to_owned())),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Method::POST,
            "/api/v1/citizens/search",
            Some((json, big)),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ] {
        let context = format!("{method} {path}");
        let reply = call(&router, method, path, Some(&token), None, body).await;
        reply.assert_error(status, code);
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{context}: {}",
            reply.body
        );
    }
    // The same refusal in English, for a caller who asks for it.
    let english = {
        use axum::body::Body;
        use axum::http::{Request, header};
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let req = Request::get("/api/v1/ingenting")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9,da;q=0.5")
            .body(Body::empty())
            .expect("request");
        let res = router.clone().oneshot(req).await.expect("response");
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        serde_json::from_slice::<Value>(&bytes).expect("json")
    };
    assert_eq!(english["error"]["code"], "not_found");
    assert_eq!(
        english["error"]["message"],
        "There is no such page or address."
    );
    // A page that is not there is a page, in Danish.
    let page = call(&router, Method::GET, "/ingenting", None, None, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("<title>Siden findes ikke"),
        "{}",
        page.body
    );
    w.done().await;
}

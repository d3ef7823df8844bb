//! An order carries its content (LP-4): the task, the period, the scope and a remark to
//! the supplier reach the supplier and the caseworker through the gate, and the ledger and
//! the citizen's access answer like a message; the guard refuses a CPR number (or a value
//! the order does not disclose) with nothing written; a supplier whose DPA does not cover
//! the service is refused until the administrator extends the coverage; the preview shows
//! the values that go, in one logged read; and a double submit, one after the other or at
//! once, places one order.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::World;
use crate::common::actors::{Caller, form_field};
use crate::common::http::{Reply, html_escape};
use skjold_app::demo::DEMO_PASSWORD;
use skjold_app::oversight::OversightQuery;
use skjold_core::FieldKey;
use skjold_core::disclosures::DisclosureKind;
use skjold_store::Backend;

crate::on_both_backends!(
    content_reaches_the_supplier_the_caseworker_and_the_ledger,
    the_guard_refuses_the_content_and_nothing_is_written,
    an_uncovered_supplier_is_refused_until_the_coverage_is_changed,
    the_preview_shows_the_values_in_one_logged_read,
    a_double_submit_places_one_order,
);

const MENTOR: &str = "Mentorhuset ApS";
const TASK: &str = "Ugentlige samtaler om at holde fast i jobbet på lageret";
const SCOPE: &str = "8 timer om ugen";
const REMARK: &str = "Mødestedet er jobcentrets lokaler på første sal";

/// What the world holds: orders of the unit and ledger rows. (Reading the ledger is
/// logged itself: count the log apart, with [`log_since`].)
async fn counts(w: &World) -> (usize, u64) {
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let orders = unit_orders(w, &cw).await;
    let ledger = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .total;
    (orders, ledger)
}

/// How many orders the unit has. (Reading a page of the list is logged: count the log
/// apart.)
async fn unit_orders(w: &World, cw: &skjold_core::Actor) -> usize {
    let first = skjold_core::orders::OrderFilter {
        limit: 1,
        ..skjold_core::orders::OrderFilter::default()
    };
    let page = w.app.orders(cw, &first).await.expect("orders");
    usize::try_from(page.total).expect("count")
}

/// The access-log entries written since `before` (a [`World::log_count`]), leaving out the
/// entry that counting wrote.
async fn log_since(w: &World, before: usize) -> usize {
    w.log_count().await - before - 1
}

/// A citizen the caseworker has looked up, so that their record opens.
async fn citizen(w: &World, n: usize) -> skjold_app::demo::DemoCitizen {
    let cw = w.actor("sagsbehandler").await;
    let c = w.demo.citizens[n].clone();
    w.search(&cw, &c).await;
    c
}

fn preview_path(w: &World, citizen: Uuid, service: &str, supplier: &str) -> String {
    format!(
        "/borgere/{citizen}/bestil?service={}&supplier={}",
        w.service(service),
        w.org(supplier)
    )
}

fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

fn order_of(location: &str) -> Uuid {
    location
        .strip_prefix("/bestillinger/")
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an order's address: {location}"))
}

/// The order form as the preview page renders it, filled in.
fn order_form<'a>(
    w: &World,
    citizen: Uuid,
    service: &str,
    key: &'a str,
    remark: &'a str,
) -> Vec<(&'static str, String)> {
    vec![
        ("subject_id", citizen.to_string()),
        ("service_type_id", w.service(service).to_string()),
        ("supplier_id", w.org(MENTOR).to_string()),
        ("task", TASK.into()),
        ("from", "2026-12-01".into()),
        ("until", "2027-02-28".into()),
        ("scope", SCOPE.into()),
        ("remark", remark.into()),
        ("idempotency_key", key.into()),
    ]
}

async fn post_order(browser: &Caller, fields: &[(&'static str, String)]) -> Reply {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form("/bestillinger", &fields).await
}

fn api_order(w: &World, citizen: Uuid, service: &str, remark: &str) -> Value {
    json!({
        "subject_id": citizen,
        "service_type_id": w.service(service),
        "supplier_id": w.org(MENTOR),
        "task": TASK,
        "period_from": "2026-12-01",
        "period_to": "2027-02-28",
        "scope": SCOPE,
        "remark": remark,
    })
}

async fn post_api_order(api: &Caller, key: Option<&str>, body: &Value) -> Reply {
    match key {
        None => api.post_json("/api/v1/orders", body).await,
        Some(k) => {
            api.post_json_with("/api/v1/orders", body, &[("idempotency-key", k)])
                .await
        }
    }
}

async fn content_reaches_the_supplier_the_caseworker_and_the_ledger(backend: Backend) {
    let w = World::new(backend, 8).await;
    let c = citizen(&w, 5).await;
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let preview = browser.get(&preview_path(&w, c.id, "MENTOR", MENTOR)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let key = form_field(&preview.body, "idempotency_key").expect("a key in the form");
    let placed = post_order(&browser, &order_form(&w, c.id, "MENTOR", &key, REMARK)).await;
    let order = order_of(&location(&placed));

    // The caseworker's page shows the content.
    let page = browser.get(&format!("/bestillinger/{order}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [TASK, SCOPE, REMARK, "01.12.2026 til 28.02.2027"] {
        assert!(
            page.body.contains(&html_escape(text)),
            "{text} on the caseworker's page"
        );
    }

    // The supplier's page shows it too, and the view is logged.
    let supplier = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let before = w.log_count().await;
    let page = supplier
        .get(&format!("/leverandoer/bestillinger/{order}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [TASK, SCOPE, REMARK] {
        assert!(
            page.body.contains(&html_escape(text)),
            "{text} on the supplier's page"
        );
    }
    // Logged: the order with its content, and the order's thread below it.
    assert_eq!(
        log_since(&w, before).await,
        2,
        "the supplier's view is logged"
    );
    let api = w
        .api("mentorhuset")
        .await
        .get(&format!("/api/v1/orders/{order}"))
        .await;
    assert_eq!(api.json()["content"]["task"], TASK);
    assert_eq!(api.json()["content"]["period_to"], "2027-02-28");
    assert_eq!(api.json()["content"]["remark"], REMARK);
    let own = w
        .api("sagsbehandler")
        .await
        .get(&format!("/api/v1/orders/{order}"))
        .await;
    assert_eq!(own.json()["content"]["scope"], SCOPE);

    // No one else sees it: another supplier, another unit's caseworker.
    for (user, path) in [
        (
            "praktikpartner",
            format!("/leverandoer/bestillinger/{order}"),
        ),
        ("sagsbehandler2", format!("/bestillinger/{order}")),
        ("dpo", format!("/bestillinger/{order}")),
    ] {
        let other = w.browser(user, DEMO_PASSWORD).await.get(&path).await;
        assert!(other.status.is_client_error(), "{user}: {}", other.status);
        assert!(
            !other.body.contains(&html_escape(TASK)),
            "{user} sees the task"
        );
    }
    for user in ["praktikpartner", "sagsbehandler2", "admin"] {
        let other = w
            .api(user)
            .await
            .get(&format!("/api/v1/orders/{order}"))
            .await;
        assert!(other.status.is_client_error(), "{user}: {}", other.status);
        assert!(!other.body.contains(TASK), "{user} sees the task");
    }

    // The ledger records the content as free text sent to the supplier, like a message.
    let dpo = w.actor("dpo").await;
    let ledger = w
        .app
        .ledger(
            &dpo,
            &OversightQuery {
                subject: Some(c.id),
                ..OversightQuery::default()
            },
        )
        .await
        .expect("ledger")
        .entries;
    let text = ledger
        .iter()
        .find(|e| e.order_id == order && e.kind == DisclosureKind::Message)
        .expect("the content in the ledger");
    assert_eq!(text.field, None);
    assert!(
        text.found
            .as_deref()
            .is_some_and(|f| f.contains("opgave") && f.contains("bemærkning")),
        "{:?}",
        text.found
    );

    // The citizen's access answer names it among what Mentorhuset received.
    let cw = w.api("sagsbehandler").await;
    let created = cw
        .post_json(
            "/api/v1/rights-cases",
            &json!({"citizen": c.id, "kind": "access", "received_at": "2026-11-20", "channel": "email",
                "description": "Hvad har I sendt om mig?", "access": {"wish": "my_data_in_a_case", "scope": "case", "scope_detail": "Mentorforløb"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let case = created.json()["id"].as_str().expect("id").to_owned();
    let checked = cw
        .post_json(
            &format!("/api/v1/rights-cases/{case}/identity"),
            &json!({"method": "Sendt fra borgerens Digital Post"}),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let decided = cw
        .post_json(
            &format!("/api/v1/rights-cases/{case}/decision"),
            &json!({"outcome": "granted", "reasons": "Borgeren har ret til indsigt i egne oplysninger."}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let answer = cw
        .get(&format!("/api/v1/rights-cases/{case}/answer"))
        .await
        .json();
    let mentor = answer["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .find(|r| r["supplier"] == MENTOR && r["order_reference"] == text.order_reference.as_str())
        .unwrap_or_else(|| panic!("the order among the recipients: {answer}"));
    assert!(
        mentor["disclosures"]
            .as_array()
            .expect("disclosures")
            .iter()
            .any(|d| d["kind"] == "message" && d["field"].is_null()),
        "{mentor}"
    );
    w.done().await;
}

async fn the_guard_refuses_the_content_and_nothing_is_written(backend: Backend) {
    let w = World::new(backend, 8).await;
    let c = citizen(&w, 5).await;
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let preview = browser.get(&preview_path(&w, c.id, "MENTOR", MENTOR)).await;
    let key = form_field(&preview.body, "idempotency_key").expect("key");

    // A CPR number in the remark: refused before anything of the citizen is read.
    let remark = format!("Borgerens CPR-nummer er {}", c.cpr.formatted());
    let before = counts(&w).await;
    let log = w.log_count().await;
    let refused = post_order(&browser, &order_form(&w, c.id, "MENTOR", &key, &remark)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("Bemærkningen til leverandøren indeholder et CPR-nummer"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"data-error-field="remark""#));
    // What was typed is kept.
    assert!(refused.body.contains(&html_escape(TASK)));
    assert!(refused.body.contains(&html_escape(&remark)));
    assert!(refused.body.contains(r#"value="2027-02-28""#));
    // The only entry is the form's page shown again, with the values that would go.
    assert_eq!(log_since(&w, log).await, 1);
    assert_eq!(counts(&w).await, before, "nothing written");

    // The same over the API: nothing written, nothing logged.
    let api = w.api("sagsbehandler").await;
    let before = counts(&w).await;
    let log = w.log_count().await;
    post_api_order(&api, None, &api_order(&w, c.id, "MENTOR", &remark))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "order_text_guard");
    assert_eq!(log_since(&w, log).await, 0);
    assert_eq!(counts(&w).await, before);

    // A value of the citizen's that the order does not disclose (the phone number is on
    // request only): refused after a logged check, with no order and no ledger row.
    let cw = w.actor("sagsbehandler").await;
    let phone = w
        .app
        .citizen(&cw, c.id)
        .await
        .expect("record")
        .value(FieldKey::Phone)
        .expect("a phone number")
        .to_owned();
    let (orders, ledger) = counts(&w).await;
    let log = w.log_count().await;
    let remark = format!("Ring til borgeren på {phone}");
    let refused = post_order(&browser, &order_form(&w, c.id, "MENTOR", &key, &remark)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("oplysninger om borgeren, som leverandøren ikke har fået: Telefon"),
        "{}",
        refused.body
    );
    // The check opened the citizen's values: logged, with the page shown again.
    assert_eq!(log_since(&w, log).await, 2);
    assert_eq!(counts(&w).await, (orders, ledger));

    // Bad content is refused too, tied to its field.
    let mut form = order_form(&w, c.id, "MENTOR", &key, "");
    form[5].1 = "2026-11-30".into();
    let refused = post_order(&browser, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Periodens slutdato ligger før startdatoen")
    );
    assert!(refused.body.contains(r#"data-error-field="until""#));
    let mut form = order_form(&w, c.id, "MENTOR", &key, "");
    form[3].1 = "  ".into();
    let refused = post_order(&browser, &form).await;
    assert!(refused.body.contains("Opgaven skal udfyldes."));
    assert!(refused.body.contains(r#"data-error-field="task""#));
    assert_eq!(unit_orders(&w, &cw).await, orders);
    w.done().await;
}

async fn an_uncovered_supplier_is_refused_until_the_coverage_is_changed(backend: Backend) {
    let w = World::new(backend, 8).await;
    let c = citizen(&w, 5).await;
    // Mentorhuset's agreement covers mentoring, not internships.
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let page = browser.get(&format!("/borgere/{}", c.id)).await;
    let option = page
        .body
        .split("<option ")
        .find(|o| o.contains(&format!("value=\"{}\"", w.org(MENTOR))))
        .expect("Mentorhuset offered");
    assert!(option.contains(&w.service("MENTOR").to_string()));
    assert!(!option.contains(&w.service("PRAKTIK").to_string()));

    let before = counts(&w).await;
    let preview = browser
        .get(&preview_path(&w, c.id, "PRAKTIK", MENTOR))
        .await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        preview.body.contains(
            "Databehandleraftalen med Mentorhuset ApS dækker ikke ydelsen Virksomhedspraktik"
        ),
        "{}",
        preview.body
    );
    let refused = post_order(&browser, &order_form(&w, c.id, "PRAKTIK", "k-1", "")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("dækker ikke ydelsen"));
    let api = w.api("sagsbehandler").await;
    post_api_order(&api, None, &api_order(&w, c.id, "PRAKTIK", ""))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "service_not_covered");
    assert_eq!(counts(&w).await, before, "nothing written");

    // The administrator extends the coverage on the administration page.
    let admin = w.actor("admin").await;
    let dpa = w
        .app
        .dpas(&admin)
        .await
        .expect("dpas")
        .into_iter()
        .find(|d| d.processor_name == MENTOR)
        .expect("Mentorhuset's DPA");
    let mut fields: Vec<(String, &str)> = dpa
        .service_type_ids
        .iter()
        .map(|id| (format!("service.{id}"), "yes"))
        .collect();
    fields.push((format!("service.{}", w.service("PRAKTIK")), "yes"));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    // Only the administrator may.
    for user in ["sagsbehandler", "dpo"] {
        let refused = w
            .browser(user, DEMO_PASSWORD)
            .await
            .post_form(&format!("/admin/aftaler/{}/ydelser", dpa.id), &fields)
            .await;
        assert!(
            refused.status.is_client_error(),
            "{user}: {}",
            refused.status
        );
    }
    let admin_browser = w.browser("admin", DEMO_PASSWORD).await;
    let changed = admin_browser
        .post_form(&format!("/admin/aftaler/{}/ydelser", dpa.id), &fields)
        .await;
    assert_eq!(location(&changed), "/admin?ok=daekning#aftaler");
    let page = admin_browser.get("/admin").await;
    let row = page
        .body
        .split("<tr ")
        .find(|r| r.contains(r#"data-dpa="DBA-2024-017""#))
        .expect("the DPA's row");
    assert!(row.contains("Virksomhedspraktik"), "{row}");
    assert!(
        row.contains(&format!("af {}", html_escape(&admin.display_name))),
        "{row}"
    );
    let after = w.app.dpas(&admin).await.expect("dpas");
    let after = after.iter().find(|d| d.id == dpa.id).expect("dpa");
    assert!(after.covers(w.service("PRAKTIK")));
    let change = after
        .coverage_changed
        .as_ref()
        .expect("the change recorded");
    assert_eq!(change.by, admin.display_name);
    assert_eq!(change.at, w.app.now());
    assert!(change.service_codes.contains("PRAKTIK"));

    // Now the order goes.
    let placed = post_api_order(&api, None, &api_order(&w, c.id, "PRAKTIK", "")).await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);

    // The coverage API, likewise the administrator's only.
    let body = json!({ "service_type_ids": [w.service("MENTOR")] });
    let path = format!("/api/v1/dpas/{}/coverage", dpa.id);
    let refused = w.api("sagsbehandler").await.post_json(&path, &body).await;
    assert!(refused.status.is_client_error());
    let set = w.api("admin").await.post_json(&path, &body).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json()["service_type_ids"], json!([w.service("MENTOR")]));
    w.api("admin")
        .await
        .post_json(&path, &json!({ "service_type_ids": [Uuid::new_v4()] }))
        .await
        .assert_error(StatusCode::NOT_FOUND, "service_type_not_found");
    w.done().await;
}

async fn the_preview_shows_the_values_in_one_logged_read(backend: Backend) {
    let w = World::new(backend, 8).await;
    let c = citizen(&w, 5).await;
    let cw = w.actor("sagsbehandler").await;
    let record = w.app.citizen(&cw, c.id).await.expect("record");
    let job_goal = record
        .value(FieldKey::JobGoal)
        .expect("a job goal")
        .to_owned();
    let phone = record.value(FieldKey::Phone).expect("a phone").to_owned();
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;

    let before = w.log_count().await;
    let preview = browser.get(&preview_path(&w, c.id, "MENTOR", MENTOR)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(log_since(&w, before).await, 1, "one logged read");
    // The values that go, not only the fields; what does not go stays out.
    assert!(preview.body.contains(&html_escape(&c.name)));
    assert!(preview.body.contains(&html_escape(&job_goal)));
    assert!(!preview.body.contains(&html_escape(&phone)));
    assert!(!preview.body.contains(&c.cpr.formatted()));
    let dpo = w.actor("dpo").await;
    let log = w
        .app
        .access_log(
            &dpo,
            &OversightQuery {
                subject: Some(c.id),
                ..OversightQuery::default()
            },
        )
        .await
        .expect("log")
        .entries;
    let entry = log
        .iter()
        .find(|e| e.detail.starts_with("Forhåndsvisning af bestilling"))
        .expect("the preview's entry");
    assert_eq!(entry.purpose, "Forhåndsvisning af videregivelse");

    // The API's preview carries the values too, in one logged read.
    let api = w.api("sagsbehandler").await;
    let before = w.log_count().await;
    let body = json!({ "subject_id": c.id, "service_type_id": w.service("MENTOR"), "supplier_id": w.org(MENTOR) });
    let reply = api.post_json("/api/v1/orders/preview", &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(log_since(&w, before).await, 1);
    let values = reply.json()["values"].clone();
    assert!(
        values
            .as_array()
            .expect("values")
            .iter()
            .any(|v| v["field"] == "job_goal" && v["value"] == job_goal.as_str()),
        "{values}"
    );
    // Another unit's caseworker gets no preview.
    let other = w.browser("sagsbehandler2", DEMO_PASSWORD).await;
    let refused = other.get(&preview_path(&w, c.id, "MENTOR", MENTOR)).await;
    assert!(refused.status.is_client_error());
    assert!(!refused.body.contains(&html_escape(&job_goal)));
    w.done().await;
}

async fn a_double_submit_places_one_order(backend: Backend) {
    let w = World::new(backend, 8).await;
    let c = citizen(&w, 5).await;
    let cw = w.actor("sagsbehandler").await;
    let orders = || async { unit_orders(&w, &cw).await };

    // The form, twice in a row: the second finds the first order.
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let preview = browser.get(&preview_path(&w, c.id, "MENTOR", MENTOR)).await;
    let key = form_field(&preview.body, "idempotency_key").expect("key");
    assert!(key.len() >= 32, "a random token: {key}");
    let form = order_form(&w, c.id, "MENTOR", &key, REMARK);
    let before = orders().await;
    let first = location(&post_order(&browser, &form).await);
    let second = location(&post_order(&browser, &form).await);
    assert_eq!(first, second);
    assert_eq!(orders().await, before + 1);
    // Each preview renders a new key.
    let again = browser.get(&preview_path(&w, c.id, "MENTOR", MENTOR)).await;
    assert_ne!(
        form_field(&again.body, "idempotency_key"),
        Some(key.clone())
    );

    // The same key with other content: refused, with a new key in the form.
    let mut changed = form.clone();
    changed[3].1 = "En anden opgave end første gang".into();
    let refused = post_order(&browser, &changed).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("allerede brugt til at sende en bestilling")
    );
    assert_ne!(
        form_field(&refused.body, "idempotency_key"),
        Some(key.clone())
    );
    assert_eq!(orders().await, before + 1);

    // The form sent twice at once.
    let twice = order_form(&w, c.id, "MENTOR", "formular-samtidig", "");
    let (a, b) = tokio::join!(post_order(&browser, &twice), post_order(&browser, &twice));
    assert_eq!(location(&a), location(&b));
    assert_eq!(orders().await, before + 2);

    // The API: the same key and body answer with the same order.
    let api = w.api("sagsbehandler").await;
    let body = api_order(&w, c.id, "MENTOR", "");
    let first = post_api_order(&api, Some("api-1"), &body).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = post_api_order(&api, Some("api-1"), &body).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.json(), second.json());
    assert_eq!(orders().await, before + 3);
    let mut other = body.clone();
    other["scope"] = json!("2 timer om ugen");
    post_api_order(&api, Some("api-1"), &other)
        .await
        .assert_error(StatusCode::CONFLICT, "idempotency_key_reused");
    post_api_order(&api, Some("ikke gyldig"), &body)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_format");

    // Two requests at once with the same key: one order.
    let (a, b) = tokio::join!(
        post_api_order(&api, Some("api-samtidig"), &body),
        post_api_order(&api, Some("api-samtidig"), &body)
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(b.status, StatusCode::OK, "{}", b.body);
    assert_eq!(a.json(), b.json());
    assert_eq!(orders().await, before + 4);
    // Without a key, each request is an order.
    post_api_order(&api, None, &body).await;
    post_api_order(&api, None, &body).await;
    assert_eq!(orders().await, before + 6);
    w.done().await;
}

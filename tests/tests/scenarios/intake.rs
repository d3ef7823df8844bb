//! Citizens in (LP-1): a case system registers a citizen with their first items over the
//! API, and records or replaces items later; each item carries its source, its purpose and
//! its time, and a replaced one stays in the record's history. Bad input is refused with a
//! clear code and writes nothing; a bulk import writes many citizens per transaction,
//! skips those already there, and logs each one.

use axum::http::StatusCode;
use serde_json::{Value, json};

use skjold_app::intake::{Format, read_citizens};
use skjold_core::citizens::IntakeOutcome;
use skjold_store::{Backend, Db};

use crate::common::World;

crate::on_both_backends!(
    a_citizen_comes_in_with_source_and_purpose,
    a_replaced_item_stays_in_the_history,
    bad_input_is_refused_and_writes_nothing,
    a_bulk_import_skips_what_is_there,
);

const PURPOSE: &str = "Beskæftigelsesindsats";
/// A CPR number no demo citizen has (born 1 February 2003).
const NEW_CPR: &str = "010203-4321";

async fn count(w: &World, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match w.db.db() {
        Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
    }
    .expect("count")
}

async fn keys(w: &World) -> i64 {
    let sql = "SELECT COUNT(*) FROM subject_key";
    match w.db.key_store_db() {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .expect("count")
}

fn item(field: &str, value: &str, source: &str) -> Value {
    json!({ "field": field, "value": value, "source": source, "purpose": PURPOSE })
}

fn datum<'a>(list: &'a Value, field: &str) -> &'a Value {
    list.as_array()
        .expect("list")
        .iter()
        .find(|d| d["field"] == field)
        .unwrap_or_else(|| panic!("{field} in {list}"))
}

async fn a_citizen_comes_in_with_source_and_purpose(backend: Backend) {
    let w = World::new(backend, 2).await;
    let api = w.api("sagsbehandler").await;
    let logged = w.log_count().await;
    let reply = api
        .post_json(
            "/api/v1/citizens",
            &json!({ "cpr": NEW_CPR, "name": "Nanna Østergaard",
                "data": [item("address", "Jagtvej 12, 2200 København N", "Anden myndighed"),
                         item("phone", "20304050", "Borgeren")] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.json()["id"].as_str().expect("id").to_owned();

    let record = api.get(&format!("/api/v1/citizens/{id}")).await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    let v = record.json();
    let name = datum(&v["data"], "name");
    assert_eq!(name["value"], "Nanna Østergaard");
    assert_eq!(name["purpose"], PURPOSE);
    assert_eq!(datum(&v["data"], "cpr")["value"], NEW_CPR);
    let address = datum(&v["data"], "address");
    assert_eq!(address["source"], "Anden myndighed");
    assert_eq!(address["purpose"], PURPOSE);
    assert_eq!(datum(&v["data"], "phone")["source"], "Borgeren");
    assert!(address["collected_at"].as_str().is_some());
    assert_eq!(v["history"], json!([]));
    // The registration and the reading are both in the access log.
    assert!(w.log_count().await >= logged + 2);

    // The caseworker's page shows the purpose.
    let browser = w
        .browser("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let page = browser.get(&format!("/borgere/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(PURPOSE));
    assert!(page.body.contains("Registrér oplysning"));

    // "Tilføj borger": a refusal is shown in the form with what was typed kept; a good
    // one goes to the new citizen's page with the flash message.
    let refused = browser
        .post_form(
            "/borgere/ny",
            &[
                ("cpr", "320190-1234"),
                ("name", "Freja Damgaard"),
                ("source", "Borgeren"),
                ("purpose", PURPOSE),
                ("field_1", "phone"),
                ("value_1", "40506070"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Borgeren er ikke oprettet"));
    assert!(refused.body.contains("Freja Damgaard"));
    assert!(refused.body.contains("40506070"));
    let created = browser
        .post_form(
            "/borgere/ny",
            &[
                ("cpr", "010203-4322"),
                ("name", "Freja Damgaard"),
                ("source", "Borgeren"),
                ("purpose", PURPOSE),
                ("field_1", "phone"),
                ("value_1", "40506070"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_owned();
    assert!(location.ends_with("?ok=borger"), "{location}");
    let shown = browser.get(&location).await;
    assert!(shown.body.contains("Borgeren er oprettet"));
    assert!(shown.body.contains("40506070"));
    w.done().await;
}

async fn a_replaced_item_stays_in_the_history(backend: Backend) {
    let w = World::new(backend, 2).await;
    let api = w.api("sagsbehandler").await;
    let reply = api
        .post_json(
            "/api/v1/citizens",
            &json!({ "cpr": NEW_CPR, "name": "Omar Khalil",
                "data": [item("phone", "20304050", "Borgeren")] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.json()["id"].as_str().expect("id").to_owned();
    w.clock.advance_seconds(3600);
    let replaced = api
        .post_json(
            &format!("/api/v1/citizens/{id}/data"),
            &item("phone", "60708090", "Mentorhuset ApS"),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::CREATED, "{}", replaced.body);
    let added = api
        .post_json(
            &format!("/api/v1/citizens/{id}/data"),
            &item("education", "Social- og sundhedshjælper", "Borgeren"),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);

    let v = api.get(&format!("/api/v1/citizens/{id}")).await.json();
    let phone = datum(&v["data"], "phone");
    assert_eq!(phone["value"], "60708090");
    assert_eq!(phone["source"], "Mentorhuset ApS");
    assert_eq!(datum(&v["data"], "education")["purpose"], PURPOSE);
    let history = v["history"].as_array().expect("history");
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["field"], "phone");
    assert_eq!(history[0]["value"], "20304050");
    assert_eq!(history[0]["source"], "Borgeren");
    assert_eq!(history[0]["replaced_at"], phone["collected_at"]);

    // The page shows the earlier value, and the form records over the UI too.
    let browser = w
        .browser("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let page = browser.get(&format!("/borgere/{id}")).await;
    assert!(page.body.contains("Tidligere værdier"));
    assert!(page.body.contains("20304050"));
    let posted = browser
        .post_form(
            &format!("/borgere/{id}/oplysninger"),
            &[
                ("field", "job_goal"),
                ("value", "Kok"),
                ("source", "Borgeren"),
                ("purpose", PURPOSE),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    // A refused form shows the reason and keeps what was typed.
    let refused = browser
        .post_form(
            &format!("/borgere/{id}/oplysninger"),
            &[
                ("field", "job_goal"),
                ("value", "Tømrer på byggeplads"),
                ("source", "Borgeren"),
                ("purpose", "Intet sådant formål"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Intet sådant formål"));
    assert!(refused.body.contains("Tømrer på byggeplads"));
    w.done().await;
}

async fn bad_input_is_refused_and_writes_nothing(backend: Backend) {
    let w = World::new(backend, 2).await;
    let api = w.api("sagsbehandler").await;
    let existing = w.demo.citizens[0].cpr.formatted();
    let good = || item("phone", "20304050", "Borgeren");
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({ "cpr": "12345", "name": "A", "data": [good()] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_format",
        ),
        (
            json!({ "cpr": "320190-1234", "name": "A", "data": [good()] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_impossible_date",
        ),
        (
            json!({ "cpr": "010130-4000", "name": "A", "data": [good()] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_future_date",
        ),
        (
            json!({ "cpr": existing, "name": "A", "data": [good()] }),
            StatusCode::CONFLICT,
            "subject_exists",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": "A", "data": [good(), item("shoe_size", "44", "Borgeren")] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": "A", "data": [good(),
                { "field": "address", "value": "Vej 1", "source": "Borgeren", "purpose": "Intet sådant formål" }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_purpose",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": "A", "data": [good(), item("address", "  ", "Borgeren")] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value_required",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": "A", "data": [good(), item("address", "Vej 1", "")] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "source_required",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": " ", "data": [good()] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name_required",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": "A", "data": [good(), good()] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field_repeated",
        ),
        (
            json!({ "cpr": NEW_CPR, "name": "A", "data": [item("cpr", "010203-4321", "Borgeren")] }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field_not_recordable",
        ),
    ];
    let before = (
        count(&w, "data_subject").await,
        count(&w, "personal_datum").await,
        keys(&w).await,
    );
    for (body, status, code) in &cases {
        let reply = api.post_json("/api/v1/citizens", body).await;
        reply.assert_error(*status, code);
    }
    // Items for a citizen already there.
    let citizen = w.demo.citizens[0].clone();
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &citizen).await;
    let path = format!("/api/v1/citizens/{}/data", citizen.id);
    for (body, code) in [
        (item("shoe_size", "44", "Borgeren"), "unknown_field"),
        (
            json!({ "field": "phone", "value": "1", "source": "Borgeren", "purpose": "Intet" }),
            "unknown_purpose",
        ),
        (item("phone", "", "Borgeren"), "value_required"),
        (
            item("cpr", "010203-4321", "Borgeren"),
            "field_not_recordable",
        ),
    ] {
        api.post_json(&path, &body)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let after = (
        count(&w, "data_subject").await,
        count(&w, "personal_datum").await,
        keys(&w).await,
    );
    assert_eq!(before, after, "nothing written");
    w.done().await;
}

async fn a_bulk_import_skips_what_is_there(backend: Backend) {
    let w = World::new(backend, 2).await;
    let municipality = w
        .app
        .import_controller(None)
        .await
        .expect("the only municipality");
    let citizens = skjold_app::intake::synthetic_citizens(250, 3, PURPOSE);
    let mut file = Vec::new();
    skjold_app::intake::write_citizens(&citizens, Format::JsonLines, &mut file).expect("write");
    let mut text = String::from_utf8(file).expect("utf-8");
    // One line names an unknown purpose: refused alone.
    text.push_str(
        "{\"cpr\":\"020304-1234\",\"name\":\"Bo Berg\",\"data\":[{\"field\":\"phone\",\"value\":\"1\",\"source\":\"Borgeren\",\"purpose\":\"Intet\"}]}\n",
    );
    let today = w.app.now().local_date();
    let subjects = count(&w, "data_subject").await;
    let log = w.log_count().await;
    let report = w
        .app
        .import_entries(
            municipality,
            read_citizens(&text, Format::JsonLines, today),
            100,
            |_| {},
        )
        .await
        .expect("import");
    assert_eq!(report.imported, 250);
    assert_eq!(report.skipped, 0);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, 251);
    assert_eq!(count(&w, "data_subject").await, subjects + 250);
    // One log entry per citizen (the read of the log adds its own).
    assert!(w.log_count().await >= log + 250);
    let keys_after = keys(&w).await;

    // Again: everything is there already.
    let again = w
        .app
        .import_entries(
            municipality,
            read_citizens(&text, Format::JsonLines, today),
            100,
            |_| {},
        )
        .await
        .expect("re-run");
    assert_eq!(
        (again.imported, again.skipped, again.failed.len()),
        (0, 250, 1)
    );
    assert_eq!(count(&w, "data_subject").await, subjects + 250);
    assert_eq!(keys(&w).await, keys_after, "no key left behind");

    // An imported citizen reads back with its items, source and purpose.
    let cw = w.actor("sagsbehandler").await;
    let id = w
        .app
        .find_citizen(&cw, &citizens[0].cpr)
        .await
        .expect("found");
    let view = w.app.citizen(&cw, id).await.expect("view");
    assert_eq!(view.data.len(), 6, "cpr, name and four items");
    assert!(
        view.data
            .iter()
            .all(|d| d.purpose.as_deref() == Some(PURPOSE))
    );
    let outcome = w
        .app
        .import_citizens(municipality, &[])
        .await
        .expect("nothing");
    assert_eq!(outcome, Vec::<IntakeOutcome>::new());
    w.done().await;
}

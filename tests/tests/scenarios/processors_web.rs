//! The DPAs' desk over HTTP: who reaches which page and API route (a supplier only its own
//! DPAs), a supplier announcing a sub-processor by the API and the privacy officer
//! objecting on the page, a unilateral change with too short notice refused with nothing
//! written, a transfer's document uploaded and approved, the security rules' page, and
//! what the pages carry (no processor's notice in a `<title>`).

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use sha2::Digest;
use uuid::Uuid;

use crate::common::World;
use crate::common::actors::Caller;
use crate::common::http::Reply;
use skjold_app::demo::DEMO_PASSWORD;
use skjold_core::Date;
use skjold_store::Backend;

crate::on_both_backends!(
    the_desk_answers_each_role_as_the_table_says,
    a_supplier_announces_and_the_privacy_officer_objects_on_the_page,
    a_unilateral_change_with_short_notice_changes_nothing,
    a_transfer_document_is_uploaded_and_approved,
    the_security_rules_page_keeps_every_version,
    no_notice_reaches_a_title,
);

const MENTOR: &str = "Mentorhuset ApS";
const ENDED: &str = "Kompetencecentret Øst ApS";

/// The callers of the table, in the order the table's columns name them.
const CALLERS: [&str; 6] = [
    "admin",
    "sagsbehandler",
    "mentorhuset",
    "praktikpartner",
    "dpo",
    "revisor",
];

/// The DPA of the supplier named, as the privacy officer finds it.
async fn dpa_of(w: &World, supplier: &str) -> Uuid {
    let dpo = w.actor("dpo").await;
    w.app
        .dpa_desks(&dpo)
        .await
        .expect("desks")
        .into_iter()
        .find(|d| d.dpa.processor_name == supplier)
        .map(|d| d.dpa.id)
        .expect("dpa")
}

fn today(w: &World) -> Date {
    w.app.now().local_date()
}

fn id_of(reply: &Reply) -> Uuid {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an id: {}", reply.body))
}

fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    reply.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

async fn desk_json(caller: &Caller, dpa: Uuid) -> Value {
    let reply = caller.get(&format!("/api/v1/dpas/{dpa}/desk")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn rules_text() -> &'static str {
    "Hjemmearbejde sker på krypterede enheder over VPN.\n\
     Bortskaffelse: datamedier destrueres af godkendt leverandør.\n\
     Reparation og service: enheder slettes før de sendes til reparation."
}

/// How a row of the table is called.
enum Call {
    Page(String),
    Form(String, Vec<(&'static str, String)>),
    Get(String),
    Post(String, Value),
}

struct Row {
    call: Call,
    /// The status each caller gets, in the order of [`CALLERS`].
    expect: [u16; 6],
}

fn row(call: Call, expect: [u16; 6]) -> Row {
    Row { call, expect }
}

async fn the_desk_answers_each_role_as_the_table_says(backend: Backend) {
    let w = World::new(backend, 4).await;
    let today = today(&w);
    let mentor_dpa = dpa_of(&w, MENTOR).await;
    let ended_dpa = dpa_of(&w, ENDED).await;
    let dpo = w.actor("dpo").await;
    // What the rows act on: a version to acknowledge, a change to object to, a transfer to
    // decide, a notice to handle.
    w.app
        .new_dpa_version(
            &dpo,
            mentor_dpa,
            skjold_core::processors::ChangeKind::Agreed,
            &skjold_core::processors::DpaTerms {
                instructions: "Behandling alene til mentorforløb.".into(),
                data_categories: "Identitet".into(),
                subject_categories: "Borgere".into(),
                security_level: "Kryptering".into(),
                breach_notice_hours: 24,
                retention_and_return: "Sletning efter 30 dage".into(),
                audit_terms: "Årlig erklæring".into(),
            },
            today,
        )
        .await
        .expect("version");
    let version = w
        .app
        .dpa_desk(&dpo, mentor_dpa)
        .await
        .expect("desk")
        .versions
        .into_iter()
        .find(|v| v.acknowledged_at.is_none())
        .expect("an unacknowledged version")
        .id;
    let announcement = json!({
        "change": "add",
        "name": "Backupfirma ApS",
        "country": "SE",
        "task": "Sikkerhedskopier",
        "planned_on": today.plus_months(2).to_string(),
    });
    let supplier_api = w.api("mentorhuset").await;
    let change = id_of(
        &supplier_api
            .post_json(
                &format!("/api/v1/dpas/{mentor_dpa}/sub-processors"),
                &announcement,
            )
            .await,
    );
    let transfer_body = json!({
        "recipient": "Cloud Inc.",
        "country": "US",
        "basis": "standard_contractual_clauses",
        "document_name": "scc.pdf",
        "document_base64": "JVBERi0xLjcgU0NDIG1vZHVsIDM=",
    });
    let transfer = id_of(
        &supplier_api
            .post_json(
                &format!("/api/v1/dpas/{mentor_dpa}/transfers"),
                &transfer_body,
            )
            .await,
    );
    let notice_body = json!({
        "kind": "authority_request",
        "received_on": today.to_string(),
        "body": "Datatilsynet beder om vores logning for oktober.",
    });
    let notice = id_of(
        &supplier_api
            .post_json(&format!("/api/v1/dpas/{mentor_dpa}/notices"), &notice_body)
            .await,
    );

    let m = mentor_dpa;
    let ok = 200;
    let rows = vec![
        // ---- pages --------------------------------------------------------------------
        row(
            Call::Page("/tilsyn/aftaler".into()),
            [ok, 403, 403, 403, ok, ok],
        ),
        row(
            Call::Page(format!("/tilsyn/aftaler/{m}")),
            [ok, 403, 403, 403, ok, ok],
        ),
        row(
            Call::Page(format!("/tilsyn/aftaler/{}", Uuid::new_v4())),
            [404, 403, 403, 403, 404, 404],
        ),
        row(
            Call::Page("/tilsyn/sikkerhedsregler".into()),
            [ok, 403, 403, 403, ok, ok],
        ),
        row(Call::Page("/aftaler".into()), [403, 403, ok, ok, 403, 403]),
        row(
            Call::Page(format!("/aftaler/{m}")),
            [403, 403, ok, 404, 403, 403],
        ),
        row(
            Call::Page(format!("/aftaler/{ended_dpa}")),
            [403, 403, 404, 404, 403, 403],
        ),
        row(
            Call::Form(
                format!("/tilsyn/aftaler/{m}/revision"),
                vec![
                    ("kind", "statement".into()),
                    ("on", today.to_string()),
                    ("summary", "ISAE 3000 type 2 uden forbehold".into()),
                ],
            ),
            [303, 403, 403, 403, 303, 403],
        ),
        row(
            Call::Form(
                format!("/aftaler/{m}/henvendelser"),
                vec![
                    ("kind", "rights_request".into()),
                    ("received_on", today.to_string()),
                    ("body", "En borger beder om indsigt.".into()),
                ],
            ),
            [403, 403, 303, 404, 403, 403],
        ),
        row(
            Call::Form(
                "/tilsyn/sikkerhedsregler".into(),
                vec![
                    ("title", "Informationssikkerhedsregler".into()),
                    ("body", rules_text().into()),
                    ("owner", dpo.user_id.to_string()),
                ],
            ),
            [303, 403, 403, 403, 303, 403],
        ),
        // ---- the API ------------------------------------------------------------------
        row(
            Call::Get("/api/v1/dpa-desks".into()),
            [ok, 403, ok, ok, ok, ok],
        ),
        row(
            Call::Get(format!("/api/v1/dpas/{m}/desk")),
            [ok, 403, ok, 404, ok, ok],
        ),
        row(
            Call::Get(format!("/api/v1/dpas/{ended_dpa}/desk")),
            [ok, 403, 404, 404, ok, ok],
        ),
        row(
            Call::Post(
                format!("/api/v1/dpas/{m}/versions"),
                json!({
                    "change": "agreed",
                    "effective_on": today.to_string(),
                    "instructions": "Behandling alene til mentorforløb.",
                }),
            ),
            [ok, 403, 403, 403, ok, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/dpa-versions/{version}/acknowledge"),
                json!({}),
            ),
            [403, 403, ok, 404, 403, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/dpas/{m}/sub-processors"),
                announcement.clone(),
            ),
            [403, 403, ok, 404, 403, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/sub-processors/{change}/objection"),
                json!({"objection": "Vi kan ikke godkende underdatabehandleren."}),
            ),
            [ok, 403, 403, 403, 409, 403],
        ),
        row(
            Call::Post(format!("/api/v1/dpas/{m}/transfers"), transfer_body.clone()),
            [403, 403, ok, 404, 403, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/transfers/{transfer}/decision"),
                json!({"approve": true, "note": "SCC modul 3"}),
            ),
            [ok, 403, 403, 403, 409, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/dpas/{m}/audits"),
                json!({"kind": "statement", "on": today.to_string(), "summary": "ISAE 3000"}),
            ),
            [ok, 403, 403, 403, ok, 403],
        ),
        row(
            Call::Post(format!("/api/v1/dpas/{m}/notices"), notice_body.clone()),
            [403, 403, ok, 404, 403, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/processor-notices/{notice}/handled"),
                json!({"response": "Logningen er sendt til Datatilsynet."}),
            ),
            [ok, 403, 403, 403, 409, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/dpas/{m}/end-confirmation"),
                json!({"confirmation": "Alt er slettet."}),
            ),
            [403, 403, 409, 404, 403, 403],
        ),
        row(
            Call::Post(
                format!("/api/v1/dpas/{ended_dpa}/end-confirmation"),
                json!({"confirmation": "Alt er slettet."}),
            ),
            [403, 403, 404, 404, 403, 403],
        ),
        row(
            Call::Get(format!("/api/v1/transfers/{transfer}/document")),
            [ok, 403, ok, 404, ok, ok],
        ),
        row(
            Call::Get(format!("/api/v1/transfers/{}/document", Uuid::new_v4())),
            [404, 403, 404, 404, 404, 404],
        ),
        row(
            Call::Page(format!("/tilsyn/overfoersler/{transfer}/dokument")),
            [ok, 403, 403, 403, ok, ok],
        ),
        row(
            Call::Get(format!("/api/v1/dpas/{ended_dpa}/return-export")),
            [ok, 403, 403, 403, ok, 403],
        ),
        row(
            Call::Get(format!("/api/v1/dpas/{m}/return-export")),
            [409, 403, 403, 403, 409, 403],
        ),
        row(
            Call::Get(format!("/api/v1/dpas/{}/return-export", Uuid::new_v4())),
            [404, 403, 403, 403, 404, 403],
        ),
        row(
            Call::Page(format!("/tilsyn/aftaler/{ended_dpa}/tilbagelevering")),
            [ok, 403, 403, 403, ok, 403],
        ),
        row(
            Call::Page(format!("/tilsyn/aftaler/{m}/tilbagelevering")),
            [409, 403, 403, 403, 409, 403],
        ),
        row(
            Call::Get("/api/v1/security-rules".into()),
            [ok, 403, 403, 403, ok, ok],
        ),
        row(
            Call::Post(
                "/api/v1/security-rules".into(),
                json!({"title": "Regler", "body": rules_text(), "owner_id": dpo.user_id}),
            ),
            [ok, 403, 403, 403, ok, 403],
        ),
    ];

    let mut wrong = Vec::new();
    let mut checked = 0;
    for (column, username) in CALLERS.iter().enumerate() {
        let api = w.api(username).await;
        let browser = w.browser(username, DEMO_PASSWORD).await;
        for r in &rows {
            let (what, reply) = match &r.call {
                Call::Page(path) => (format!("GET {path}"), browser.get(path).await),
                Call::Form(path, fields) => {
                    let fields: Vec<(&str, &str)> =
                        fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    (
                        format!("POST {path} (form)"),
                        browser.post_form(path, &fields).await,
                    )
                }
                Call::Get(path) => (format!("GET {path}"), api.get(path).await),
                Call::Post(path, body) => (format!("POST {path}"), api.post_json(path, body).await),
            };
            let expected = r.expect[column];
            if reply.status.as_u16() != expected {
                wrong.push(format!(
                    "{username} {what}: {} (expected {expected}) {}",
                    reply.status,
                    &reply.body[..reply.body.len().min(200)]
                ));
            }
            // A supplier's reply never names another supplier's DPA.
            if *username == "praktikpartner"
                && (reply.body.contains("DBA-2024-017") || reply.body.contains(MENTOR))
            {
                wrong.push(format!("{username} {what}: shows Mentorhuset's DPA"));
            }
            if *username == "mentorhuset"
                && (reply.body.contains("DBA-2025-004") || reply.body.contains("DBA-2023-031"))
            {
                wrong.push(format!("{username} {what}: shows another supplier's DPA"));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(checked, CALLERS.len() * rows.len());

    // Each supplier's list holds its own DPAs and nothing else.
    for (username, supplier) in [
        ("mentorhuset", MENTOR),
        ("praktikpartner", "Praktikpartner A/S"),
    ] {
        let desks = w.api(username).await.get("/api/v1/dpa-desks").await.json();
        let desks = desks.as_array().expect("desks");
        assert!(!desks.is_empty());
        assert!(
            desks.iter().all(|d| d["dpa"]["processor_name"] == supplier),
            "{username}: {desks:?}"
        );
    }
    let all = w.api("dpo").await.get("/api/v1/dpa-desks").await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    w.done().await;
}

async fn a_supplier_announces_and_the_privacy_officer_objects_on_the_page(backend: Backend) {
    let w = World::new(backend, 4).await;
    let today = today(&w);
    let dpa = dpa_of(&w, MENTOR).await;
    let supplier = w.api("mentorhuset").await;
    let announce = |planned: Date| {
        json!({
            "change": "add",
            "name": "Hostingfirma A/S",
            "country": "dk",
            "task": "Drift af journalsystem",
            "planned_on": planned.to_string(),
            "agreement_on": today.plus_days(-3).to_string(),
        })
    };
    let path = format!("/api/v1/dpas/{dpa}/sub-processors");
    // Less than a month ahead: refused, and nothing is announced.
    let early = supplier
        .post_json(&path, &announce(today.plus_months(1).plus_days(-1)))
        .await;
    early.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "sub_processor_notice_too_short",
    );
    let bad = supplier
        .post_json(
            &path,
            &json!({"change": "replace", "name": "X", "country": "DK", "task": "Y",
                     "planned_on": today.plus_months(2).to_string()}),
        )
        .await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_kind");
    let dpo_api = w.api("dpo").await;
    assert_eq!(
        desk_json(&dpo_api, dpa).await["sub_processors"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let change = id_of(
        &supplier
            .post_json(&path, &announce(today.plus_months(1)))
            .await,
    );

    // The privacy officer sees it on the desk, with the objection form, and it shows on
    // the list as an open window.
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    let list = dpo.get("/tilsyn/aftaler").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("1 med åben indsigelsesfrist"),
        "{}",
        list.body
    );
    let page = dpo.get(&format!("/tilsyn/aftaler/{dpa}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let action = format!("/tilsyn/aftaler/{dpa}/underdatabehandlere/{change}/indsigelse");
    assert!(page.body.contains(&action), "{}", page.body);
    assert!(page.body.contains("Hostingfirma A/S") && page.body.contains("Varslet"));
    // Too short a reason: the page again, with what was typed.
    let short = dpo.post_form(&action, &[("objection", "nej")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains(">nej</textarea>"), "{}", short.body);
    assert_eq!(
        short.title(),
        Some("Databehandleraftale DBA-2024-017 – Skjold")
    );
    let reason = "Hostingfirmaet opfylder ikke vores krav til logning.";
    let done = dpo.post_form(&action, &[("objection", reason)]).await;
    let back = location(&done);
    assert_eq!(
        back,
        format!("/tilsyn/aftaler/{dpa}?ok=indsigelse#underdatabehandlere")
    );
    let after = dpo.get(&back).await;
    assert!(after.body.contains("Indsigelsen er registreret"));
    assert!(after.body.contains(reason) && !after.body.contains(&action));
    // Once more: settled, said on the page.
    let again = dpo.post_form(&action, &[("objection", reason)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let desk = desk_json(&dpo_api, dpa).await;
    let s = &desk["sub_processors"][0];
    assert_eq!(s["id"], change.to_string());
    assert_eq!(s["status"], "objected");
    assert_eq!(s["objection"], reason);
    assert_eq!(s["may_object"], false);
    assert_eq!(s["agreement_on"], today.plus_days(-3).to_string());
    // The supplier sees the objection on its own page; the other supplier cannot reach it.
    let own = w
        .browser("mentorhuset", DEMO_PASSWORD)
        .await
        .get(&format!("/aftaler/{dpa}"))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains(reason) && own.body.contains("Indsigelse"));
    let other = w.browser("praktikpartner", DEMO_PASSWORD).await;
    assert_eq!(
        other.get(&format!("/aftaler/{dpa}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = other.get("/aftaler").await;
    assert!(!list.body.contains(&dpa.to_string()) && !list.body.contains("DBA-2024-017"));
    w.done().await;
}

async fn a_unilateral_change_with_short_notice_changes_nothing(backend: Backend) {
    let w = World::new(backend, 4).await;
    let today = today(&w);
    let dpa = dpa_of(&w, MENTOR).await;
    let dpo = w.api("dpo").await;
    let count = async |c: &Caller, what: &str| {
        desk_json(c, dpa).await[what]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default()
    };
    let before = count(&dpo, "versions").await;
    let path = format!("/api/v1/dpas/{dpa}/versions");
    let version = |change: &str, effective_on: String, hours: u32| {
        json!({
            "change": change,
            "effective_on": effective_on,
            "instructions": "Behandling alene til levering af mentorforløb.",
            "data_categories": "Identitet, kontakt",
            "subject_categories": "Borgere i mentorforløb",
            "security_level": "Kryptering i hvile",
            "breach_notice_hours": hours,
            "retention_and_return": "Sletning senest 30 dage efter ophør",
            "audit_terms": "Årlig ISAE 3000-erklæring",
        })
    };
    let short = dpo
        .post_json(
            &path,
            &version("unilateral", today.plus_days(29).to_string(), 12),
        )
        .await;
    short.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "change_notice_too_short");
    for (body, code) in [
        (
            version("ensidig", today.plus_days(30).to_string(), 12),
            "bad_kind",
        ),
        (version("unilateral", "1.1.2027".into(), 12), "bad_date"),
        (
            version("agreed", today.to_string(), 73),
            "breach_notice_hours",
        ),
    ] {
        dpo.post_json(&path, &body)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    // Bad keys elsewhere are refused the same way, before anything is written.
    let supplier = w.api("mentorhuset").await;
    supplier
        .post_json(
            &format!("/api/v1/dpas/{dpa}/transfers"),
            &json!({"recipient": "Cloud Inc.", "country": "US", "basis": "adequacy_decision",
                    "document_name": "x.pdf", "document_base64": "eA=="}),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_transfer_basis");
    supplier
        .post_json(
            &format!("/api/v1/dpas/{dpa}/notices"),
            &json!({"kind": "warning", "received_on": today.to_string(), "body": "Instruksen er ulovlig."}),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_processor_notice");
    dpo.post_json(
        &format!("/api/v1/dpas/{dpa}/audits"),
        &json!({"kind": "review", "on": today.to_string(), "summary": "x"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_kind");
    for what in ["versions", "transfers", "notices", "audits"] {
        let expected = if what == "versions" { before } else { 0 };
        assert_eq!(count(&dpo, what).await, expected, "{what}");
    }

    // The same on the page: refused with the reason, the typed terms kept.
    let page = w.browser("dpo", DEMO_PASSWORD).await;
    let form = page.get(&format!("/tilsyn/aftaler/{dpa}")).await;
    assert!(
        form.body
            .contains("Ensidig ændring: tidligst 30 dage efter i dag")
    );
    let typed = "Kun levering af mentorforløb; ingen profilering.";
    let refused = page
        .post_form(
            &format!("/tilsyn/aftaler/{dpa}/versioner"),
            &[
                ("change", "unilateral"),
                ("effective_on", &today.plus_days(29).to_string()),
                ("instructions", typed),
                ("breach_notice_hours", "12"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(typed), "the typed text is kept");
    assert!(refused.body.contains(&today.plus_days(30).danish()));
    assert!(refused.body.contains("id=\"ny-version\" open"));
    assert_eq!(count(&dpo, "versions").await, before);

    // Thirty days is enough; the version waits for its day.
    let v = dpo
        .post_json(
            &path,
            &version("unilateral", today.plus_days(30).to_string(), 12),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    assert_eq!(v.json()["version"], before + 1);
    let desk = desk_json(&dpo, dpa).await;
    assert_eq!(desk["in_force_version"], before);
    assert_eq!(desk["versions"][0]["in_force"], false);
    assert_eq!(desk["versions"][0]["change"], "unilateral");
    assert_eq!(desk["versions"][0]["breach_notice_hours"], 12);
    // The supplier acknowledges it on its page, once.
    let new_id = desk["versions"][0]["id"].as_str().expect("id").to_owned();
    let mentor = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let own = mentor.get(&format!("/aftaler/{dpa}")).await;
    let ack = format!("/aftaler/{dpa}/versioner/{new_id}/kvitter");
    assert!(own.body.contains(&ack));
    let done = mentor.post_form(&ack, &[]).await;
    assert_eq!(
        location(&done),
        format!("/aftaler/{dpa}?ok=kvitteret#versioner")
    );
    let desk = desk_json(&dpo, dpa).await;
    assert_eq!(desk["versions"][0]["acknowledged_by"], "Torben Vestergaard");
    assert_eq!(
        mentor.post_form(&ack, &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    w.done().await;
}

async fn a_transfer_document_is_uploaded_and_approved(backend: Backend) {
    let w = World::new(backend, 4).await;
    let dpa = dpa_of(&w, MENTOR).await;
    let supplier = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let path = format!("/aftaler/{dpa}/overfoersler");
    let document: &[u8] = b"%PDF-1.7 SCC modul 3 med supplerende foranstaltninger";
    // Inside the EEA: refused, the typed fields kept; without a file: refused.
    let inside = supplier
        .post_multipart(
            &path,
            &[
                ("recipient", "Drift GmbH"),
                ("country", "DE"),
                ("basis", "standard_contractual_clauses"),
            ],
            Some(("scc.pdf", document)),
        )
        .await;
    assert_eq!(inside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(inside.body.contains("value=\"Drift GmbH\""));
    assert!(inside.body.contains("Vælg filen igen"));
    let no_file = supplier
        .post_multipart(
            &path,
            &[
                ("recipient", "Cloud Inc."),
                ("country", "US"),
                ("basis", "standard_contractual_clauses"),
            ],
            None,
        )
        .await;
    assert_eq!(no_file.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The attachments' guard: markup named as a PDF, and an executable, are refused.
    for (name, bytes) in [
        (
            "scc.pdf",
            b"<html><script>alert(1)</script></html>".as_slice(),
        ),
        ("scc.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".as_slice()),
    ] {
        let bad = supplier
            .post_multipart(
                &path,
                &[
                    ("recipient", "Cloud Inc."),
                    ("country", "US"),
                    ("basis", "standard_contractual_clauses"),
                ],
                Some((name, bytes)),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    }
    let presented = supplier
        .post_multipart(
            &path,
            &[
                ("recipient", "Cloud Inc."),
                ("country", "us"),
                ("basis", "standard_contractual_clauses"),
            ],
            Some(("scc-2021-914.pdf", document)),
        )
        .await;
    assert_eq!(
        location(&presented),
        format!("/aftaler/{dpa}?ok=forelagt#overfoersler")
    );
    let sha = hex::encode(sha2::Sha256::digest(document));
    let dpo_api = w.api("dpo").await;
    let desk = desk_json(&dpo_api, dpa).await;
    let transfers = desk["transfers"].as_array().expect("transfers");
    assert_eq!(transfers.len(), 1, "only the good one");
    let t = &transfers[0];
    assert_eq!(
        (&t["country"], &t["status"], &t["document_name"]),
        (
            &json!("US"),
            &json!("presented"),
            &json!("scc-2021-914.pdf")
        )
    );
    assert_eq!(t["document_sha256"], sha);
    let transfer = t["id"].as_str().expect("id").to_owned();

    // The privacy officer sees the document's hash, waiting on the list, and approves.
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    assert!(
        dpo.get("/tilsyn/aftaler")
            .await
            .body
            .contains("1 afventer afgørelse")
    );
    let page = dpo.get(&format!("/tilsyn/aftaler/{dpa}")).await;
    assert!(page.body.contains(&sha), "the hash is shown");
    // The document itself, to read before deciding: as presented, a download.
    let link = format!("/tilsyn/overfoersler/{transfer}/dokument");
    assert!(page.body.contains(&link));
    let file = dpo.get(&link).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body.as_bytes(), document);
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("disposition")
            .starts_with("attachment; filename=\"scc-2021-914.pdf\"")
    );
    let action = format!("/tilsyn/aftaler/{dpa}/overfoersler/{transfer}/afgoerelse");
    assert!(page.body.contains(&action));
    let odd = dpo
        .post_form(&action, &[("decision", "maybe"), ("note", "Måske")])
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(odd.body.contains(">Måske</textarea>"));
    let approved = dpo
        .post_form(
            &action,
            &[
                ("decision", "approve"),
                ("note", "SCC modul 3 med supplerende foranstaltninger"),
            ],
        )
        .await;
    assert_eq!(
        location(&approved),
        format!("/tilsyn/aftaler/{dpa}?ok=godkendt#overfoersler")
    );
    let desk = desk_json(&dpo_api, dpa).await;
    assert_eq!(desk["transfers"][0]["status"], "approved");
    assert_eq!(desk["transfers"][0]["decided_by"], "Signe Winther");
    let own = supplier.get(&format!("/aftaler/{dpa}")).await;
    assert!(own.body.contains("Godkendt") && own.body.contains(&sha));

    // By the API: a document in base64, refused by the privacy officer, once.
    use base64::Engine;
    let api = w.api("mentorhuset").await;
    let second = id_of(
        &api.post_json(
            &format!("/api/v1/dpas/{dpa}/transfers"),
            &json!({
                "recipient": "Support Ltd.",
                "country": "IN",
                "basis": "derogation",
                "document_name": "undtagelse.pdf",
                "document_base64": base64::engine::general_purpose::STANDARD.encode(document),
            }),
        )
        .await,
    );
    api.post_json(
        &format!("/api/v1/dpas/{dpa}/transfers"),
        &json!({"recipient": "X", "country": "IN", "basis": "derogation",
                "document_name": "x.pdf", "document_base64": "ikke base64!"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "attachment_encoding");
    let decision = format!("/api/v1/transfers/{second}/decision");
    let refused = dpo_api
        .post_json(
            &decision,
            &json!({"approve": false, "note": "Ikke nødvendigt"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    dpo_api
        .post_json(&decision, &json!({"approve": true}))
        .await
        .assert_error(StatusCode::CONFLICT, "transfer_decided");
    let desk = desk_json(&dpo_api, dpa).await;
    let statuses: Vec<&str> = desk["transfers"]
        .as_array()
        .expect("transfers")
        .iter()
        .filter_map(|t| t["status"].as_str())
        .collect();
    assert!(statuses.contains(&"approved") && statuses.contains(&"refused"));
    w.done().await;
}

async fn the_security_rules_page_keeps_every_version(backend: Backend) {
    let w = World::new(backend, 4).await;
    let dpo_user = w.actor("dpo").await;
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    let empty = dpo.get("/tilsyn/sikkerhedsregler").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Ingen sikkerhedsregler"));
    let owner = dpo_user.user_id.to_string();
    let incomplete = dpo
        .post_form(
            "/tilsyn/sikkerhedsregler",
            &[
                ("title", "Informationssikkerhedsregler"),
                ("body", "Skærmlås efter 5 minutter."),
                ("owner", &owner),
            ],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        incomplete
            .body
            .contains(">Skærmlås efter 5 minutter.</textarea>")
    );
    assert!(incomplete.body.contains("hjemmearbejde"));
    for title in [
        "Informationssikkerhedsregler",
        "Informationssikkerhedsregler 2026",
    ] {
        let done = dpo
            .post_form(
                "/tilsyn/sikkerhedsregler",
                &[("title", title), ("body", rules_text()), ("owner", &owner)],
            )
            .await;
        assert_eq!(location(&done), "/tilsyn/sikkerhedsregler?ok=regler");
    }
    let page = dpo.get("/tilsyn/sikkerhedsregler?ok=regler").await;
    assert!(
        page.body
            .contains("Den nye version af sikkerhedsreglerne er godkendt")
    );
    assert!(
        page.body
            .contains("Gældende version: Informationssikkerhedsregler 2026")
    );
    assert!(page.body.contains("id=\"rules-history\""));
    let due = w.app.now().local_date().plus_months(12).danish();
    assert!(page.body.contains(&due));
    // The auditor reads, without the form; the administrator picks the owner among the
    // municipality's users.
    let auditor = w
        .browser("revisor", DEMO_PASSWORD)
        .await
        .get("/tilsyn/sikkerhedsregler")
        .await;
    assert_eq!(auditor.status, StatusCode::OK);
    assert!(auditor.body.contains("Informationssikkerhedsregler 2026"));
    assert!(!auditor.body.contains("action=\"/tilsyn/sikkerhedsregler\""));
    let admin = w
        .browser("admin", DEMO_PASSWORD)
        .await
        .get("/tilsyn/sikkerhedsregler")
        .await;
    assert!(admin.body.contains("Signe Winther (dpo)"));
    assert!(admin.body.contains("Rasmus Kjærgaard (sagsbehandler)"));
    assert!(
        !admin.body.contains("(mentorhuset)"),
        "no supplier owns them"
    );
    // A year and a day on, the review is overdue.
    w.clock.set(w.app.now().plus_seconds(366 * 86_400));
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    let late = dpo.get("/tilsyn/sikkerhedsregler").await;
    assert!(late.body.contains("Gennemgang overskredet"));
    let rules = w.api("revisor").await.get("/api/v1/security-rules").await;
    assert_eq!(rules.json()[0]["review_overdue"], true);
    assert_eq!(rules.json().as_array().map(Vec::len), Some(2));
    w.done().await;
}

async fn no_notice_reaches_a_title(backend: Backend) {
    let w = World::new(backend, 4).await;
    let today = today(&w);
    let dpa = dpa_of(&w, MENTOR).await;
    let ended = dpa_of(&w, ENDED).await;
    let citizen = w.demo.citizens[0].clone();
    let body = format!(
        "{} ({}) beder om indsigt <b>hurtigst muligt</b>.",
        citizen.name,
        citizen.cpr.formatted()
    );
    let supplier = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let sent = supplier
        .post_form(
            &format!("/aftaler/{dpa}/henvendelser"),
            &[
                ("kind", "rights_request"),
                ("received_on", &today.plus_days(-5).to_string()),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(
        location(&sent),
        format!("/aftaler/{dpa}?ok=sendt#henvendelser")
    );
    // A notice received in the future: refused, the text kept.
    let future = supplier
        .post_form(
            &format!("/aftaler/{dpa}/henvendelser"),
            &[
                ("kind", "unlawful_instruction"),
                ("received_on", &today.plus_days(1).to_string()),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    let list = dpo.get("/tilsyn/aftaler").await;
    assert!(list.body.contains("1 ubehandlede") && list.body.contains("1 sendt for sent"));
    let desk = dpo.get(&format!("/tilsyn/aftaler/{dpa}")).await;
    // The notice is on the page, escaped, and only there.
    let plain = format!(
        "{} ({}) beder om indsigt",
        citizen.name,
        citizen.cpr.formatted()
    );
    assert!(desk.body.contains(&plain), "the notice is on the page");
    assert!(desk.body.contains("&#60;b&#62;hurtigst") && !desk.body.contains("<b>hurtigst"));
    assert!(desk.body.contains("For sent"));
    let notice = w
        .app
        .dpa_desk(&w.actor("dpo").await, dpa)
        .await
        .expect("desk")
        .notices[0]
        .id;
    let handled = dpo
        .post_form(
            &format!("/tilsyn/aftaler/{dpa}/henvendelser/{notice}/behandlet"),
            &[("response", "ok")],
        )
        .await;
    assert_eq!(handled.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The ended DPA: the supplier confirms deletion on its page.
    let former = w.browser("kompetencecentret", DEMO_PASSWORD).await;
    let own = former.get(&format!("/aftaler/{ended}")).await;
    assert!(own.body.contains("Fristen er overskredet"));
    let confirmed = former
        .post_form(
            &format!("/aftaler/{ended}/ophoer"),
            &[(
                "confirmation",
                "Alle data er slettet, også i sikkerhedskopier.",
            )],
        )
        .await;
    assert_eq!(
        location(&confirmed),
        format!("/aftaler/{ended}?ok=bekraeftet#ophoer")
    );
    let ending = dpo.get(&format!("/tilsyn/aftaler/{ended}")).await;
    assert!(
        ending
            .body
            .contains("Alle data er slettet, også i sikkerhedskopier.")
    );

    let pages = [
        (&dpo, "/tilsyn/aftaler".to_owned()),
        (&dpo, format!("/tilsyn/aftaler/{dpa}")),
        (&dpo, format!("/tilsyn/aftaler/{ended}")),
        (&dpo, "/tilsyn/sikkerhedsregler".to_owned()),
        (&supplier, "/aftaler".to_owned()),
        (&supplier, format!("/aftaler/{dpa}")),
        (&former, format!("/aftaler/{ended}")),
    ];
    let mut replies = vec![
        ("re-shown notice form", future),
        ("re-shown handling form", handled),
    ];
    for (caller, path) in pages {
        let reply = caller.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        replies.push(("page", reply));
    }
    let surname = citizen.name.split_whitespace().last().expect("surname");
    for (what, reply) in &replies {
        let title = reply.title().unwrap_or_else(|| panic!("{what}: no title"));
        assert!(title.chars().count() <= 70, "{what}: {title}");
        for needle in [
            surname,
            citizen.cpr.formatted().as_str(),
            "<",
            "indsigt",
            "hurtigst",
        ] {
            assert!(!title.contains(needle), "{what}: «{title}» holds {needle}");
        }
    }
    w.done().await;
}

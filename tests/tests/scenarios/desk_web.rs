//! The privacy officer's desk over HTTP: who reaches each page and API route of the
//! breach register, the records of processing and retention (every role, and a citizen's
//! session); a supplier's breach report through the API reaching the privacy officer; an
//! overdue clock heading the privacy officer's start page; refused input that changes
//! nothing; the records exported in three formats; and what the desk's forms and pages
//! do and carry.

use std::collections::BTreeMap;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use skjold_core::Category;
use skjold_core::Timestamp;
use skjold_core::breaches::{BreachReport, DetectedBy, Nature};
use skjold_core::records::DraftInput;
use skjold_core::retention::{RecordType, RetentionAction, RuleInput, Trigger};
use skjold_store::Backend;

use crate::common::World;
use crate::common::actors::Caller;
use crate::common::http::{Reply, html_escape};

crate::on_both_backends!(
    desk_routes_answer_each_role,
    a_supplier_reports_a_breach_and_the_privacy_officer_sees_it,
    an_overdue_clock_heads_the_start_page,
    bad_input_is_refused_and_changes_nothing,
    records_export_in_three_formats_over_the_api,
    the_desk_forms_work_and_titles_stay_plain,
);

const HOUR: i64 = 3600;
const PASSWORD: &str = skjold_app::demo::DEMO_PASSWORD;
const DESCRIPTION: &str = "En mentors bærbare computer er stjålet fra en bil i Valby";

/// A breach as the supplier reports it, `hours` after it became aware.
fn supplier_report(w: &World, hours: i64) -> Value {
    let now = w.app.now();
    json!({
        "controller_id": w.demo.municipality_id,
        "processor_aware_at": now.plus_seconds(-hours * HOUR).rfc3339(),
        "nature": ["confidentiality"],
        "description": DESCRIPTION,
        "data_categories": ["identity", "health"],
        "subject_categories": "Borgere i mentorforløb",
        "approx_persons": 12,
        "approx_records": 40,
        "contact_point": "Mentorhusets sikkerhedsansvarlige",
        "high_risk": true,
    })
}

fn report(aware_at: Timestamp) -> BreachReport {
    BreachReport {
        detected_by: DetectedBy::Controller,
        processor_id: None,
        processor_aware_at: None,
        aware_at,
        occurred_at: None,
        nature: vec![Nature::Availability],
        description: DESCRIPTION.into(),
        data_categories: vec![Category::Identity],
        subject_categories: "Borgere".into(),
        approx_persons: 3,
        approx_records: 3,
        contact_point: "Databeskyttelsesrådgiveren".into(),
        consequences: String::new(),
        measures: String::new(),
        high_risk: true,
        no_risk: false,
    }
}

fn draft(name: &str) -> DraftInput {
    DraftInput {
        name: name.into(),
        purpose: "Opfølgning på praktikforløb".into(),
        subject_categories: "Ledige i praktik".into(),
        data_categories: vec![Category::Identity, Category::Employment],
        recipients: "Praktikvirksomheder".into(),
        retention: "5 år".into(),
        question: String::new(),
    }
}

/// A rule no run acts on (under legal hold).
fn held_rule(reference: &str) -> RuleInput {
    RuleInput {
        record_type: RecordType::RightsCase,
        purpose_id: None,
        trigger: Trigger::CaseClosed,
        period_months: 120,
        action: RetentionAction::Review,
        legal_reference: reference.into(),
        legal_hold: true,
    }
}

fn location(r: &Reply) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Where a redirect leads, without its fragment (which a browser keeps to itself).
fn target(r: &Reply) -> String {
    let to = location(r);
    to.split('#').next().unwrap_or_default().to_owned()
}

fn content_type(r: &Reply) -> String {
    r.headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// How a route is called in the matrix. `{rule}` in a path is a rule of the caller's own.
enum Call {
    Get(String),
    Json(String, Value),
    Delete(String),
    Page(String),
    Form(String, Vec<(&'static str, String)>),
}

struct Row {
    call: Call,
    /// The users who may; everyone else is refused with 403.
    may: &'static [&'static str],
}

fn get(path: impl Into<String>, may: &'static [&'static str]) -> Row {
    Row {
        call: Call::Get(path.into()),
        may,
    }
}

fn post(path: impl Into<String>, body: Value, may: &'static [&'static str]) -> Row {
    Row {
        call: Call::Json(path.into(), body),
        may,
    }
}

fn page(path: impl Into<String>, may: &'static [&'static str]) -> Row {
    Row {
        call: Call::Page(path.into()),
        may,
    }
}

fn form(
    path: impl Into<String>,
    fields: &[(&'static str, &str)],
    may: &'static [&'static str],
) -> Row {
    Row {
        call: Call::Form(
            path.into(),
            fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        ),
        may,
    }
}

impl Row {
    fn describe(&self) -> String {
        match &self.call {
            Call::Get(p) | Call::Page(p) => format!("GET {p}"),
            Call::Json(p, _) | Call::Form(p, _) => format!("POST {p}"),
            Call::Delete(p) => format!("DELETE {p}"),
        }
    }

    fn is_html(&self) -> bool {
        matches!(self.call, Call::Page(_) | Call::Form(..))
    }

    async fn send(&self, caller: &Caller, rule: Uuid) -> Reply {
        let me = |p: &str| p.replace("{rule}", &rule.to_string());
        match &self.call {
            Call::Get(p) | Call::Page(p) => caller.get(&me(p)).await,
            Call::Json(p, body) => caller.post_json(&me(p), body).await,
            Call::Form(p, fields) => {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                caller.post_form(&me(p), &fields).await
            }
            Call::Delete(p) => caller.delete(&me(p)).await,
        }
    }
}

const ADMIN: &str = "admin";
const CASEWORKER: &str = "sagsbehandler";
const SUPPLIER: &str = "mentorhuset";
const DPO: &str = "dpo";
const AUDITOR: &str = "revisor";
const USERS: [&str; 5] = [ADMIN, CASEWORKER, SUPPLIER, DPO, AUDITOR];

/// Every page and API route of the desk, and who may use it.
fn table(
    breach: Uuid,
    drafts: [Uuid; 2],
    mentorhuset: Uuid,
    municipality: Uuid,
    now: Timestamp,
) -> Vec<Row> {
    let window = json!({
        "party": { "kind": "organisation", "id": mentorhuset },
        "from": Timestamp(0).rfc3339(),
        "until": now.plus_seconds(HOUR).rfc3339(),
    });
    let mentorhuset = mentorhuset.to_string();
    let search: Vec<(&'static str, &str)> = vec![
        ("party", "organisation"),
        ("organisation", mentorhuset.as_str()),
        ("from", "2020-01-01"),
        ("until", "2030-01-01"),
    ];
    let municipality_s = municipality.to_string();
    let aware = skjold_web_local(now);
    let breach_form: Vec<(&'static str, &str)> = vec![
        ("aware_at", aware.as_str()),
        ("processor_aware_at", aware.as_str()),
        ("controller_id", municipality_s.as_str()),
        ("nature", "integrity"),
        ("description", "Et dokument er ændret af en uvedkommende"),
        ("contact_point", "DPO"),
        ("risk", "normal"),
    ];
    let b = breach;
    vec![
        // ---- the breach register: API ----------------------------------------------------
        get("/api/v1/breaches", &[SUPPLIER, DPO, AUDITOR]),
        post(
            "/api/v1/breaches",
            json!({ "controller_id": municipality, "processor_aware_at": now.plus_seconds(-HOUR).rfc3339(),
                "nature": ["availability"], "description": "Serveren var nede", "contact_point": "Drift" }),
            &[SUPPLIER, DPO],
        ),
        get(format!("/api/v1/breaches/{b}"), &[SUPPLIER, DPO, AUDITOR]),
        post(
            format!("/api/v1/breaches/{b}/clocks/authority"),
            json!({ "met_at": now.rfc3339() }),
            &[DPO],
        ),
        post("/api/v1/breaches/affected", window.clone(), &[DPO]),
        post(format!("/api/v1/breaches/{b}/affected"), window, &[DPO]),
        get(
            format!("/api/v1/breaches/{b}/report"),
            &[SUPPLIER, DPO, AUDITOR],
        ),
        // ---- the breach register: pages --------------------------------------------------
        page("/tilsyn/brud", &[DPO, AUDITOR]),
        form("/tilsyn/brud", &breach_form, &[DPO]),
        page(format!("/tilsyn/brud/{b}"), &[DPO, AUDITOR]),
        form(
            format!("/tilsyn/brud/{b}/frist/persons"),
            &[("met_at", aware.as_str())],
            &[DPO],
        ),
        form(format!("/tilsyn/brud/{b}/beroerte"), &search, &[DPO]),
        form(
            format!("/tilsyn/brud/{b}/beroerte/tilknyt"),
            &search,
            &[DPO],
        ),
        page(format!("/tilsyn/brud/{b}/rapport.pdf"), &[DPO, AUDITOR]),
        // The privacy officer is sent on to the register from the supplier's page; the
        // supplier's form is the supplier's.
        page("/brud", &[SUPPLIER, DPO]),
        form("/brud", &breach_form, &[SUPPLIER]),
        // ---- the records of processing -------------------------------------------------
        get("/api/v1/records?format=csv", &[ADMIN, DPO, AUDITOR]),
        get("/api/v1/records/versions", &[ADMIN, DPO, AUDITOR]),
        post("/api/v1/records/review", json!({ "note": "Set" }), &[DPO]),
        get("/api/v1/records/drafts", &[ADMIN, CASEWORKER, DPO, AUDITOR]),
        post(
            "/api/v1/records/drafts",
            json!({ "name": "Ny behandling", "purpose": "Afprøvning", "subject_categories": "Ledige", "data_categories": ["identity"] }),
            &[CASEWORKER],
        ),
        post(
            format!("/api/v1/records/drafts/{}/decision", drafts[0]),
            json!({ "approve": true }),
            &[DPO],
        ),
        page("/tilsyn/fortegnelse", &[ADMIN, DPO, AUDITOR]),
        form("/tilsyn/fortegnelse/gennemgaa", &[("note", "Set")], &[DPO]),
        page("/tilsyn/fortegnelse/eksport/pdf", &[ADMIN, DPO, AUDITOR]),
        form(
            format!("/tilsyn/fortegnelse/anmeldelser/{}", drafts[1]),
            &[("decision", "return"), ("comment", "Beskriv modtagerne")],
            &[DPO],
        ),
        page("/fortegnelse/anmeld", &[CASEWORKER]),
        form(
            "/fortegnelse/anmeld",
            &[
                ("name", "Ny behandling"),
                ("purpose", "Afprøvning"),
                ("subject_categories", "Ledige"),
                ("category", "identity"),
            ],
            &[CASEWORKER],
        ),
        // ---- retention ------------------------------------------------------------------
        get("/api/v1/retention/rules", &[ADMIN, DPO, AUDITOR]),
        post(
            "/api/v1/retention/rules",
            json!({ "record_type": "citizen_data", "trigger": "order_closed", "period_months": 240,
                "action": "review", "legal_reference": "Arkivloven", "legal_hold": true }),
            &[ADMIN, DPO],
        ),
        Row {
            call: Call::Delete("/api/v1/retention/rules/{rule}".into()),
            may: &[ADMIN, DPO],
        },
        post(
            "/api/v1/retention/run?dry_run=true",
            json!(null),
            &[ADMIN, DPO],
        ),
        get(
            "/api/v1/retention/receipts?limit=10",
            &[ADMIN, DPO, AUDITOR],
        ),
        get("/api/v1/retention/deliveries", &[ADMIN, DPO, AUDITOR]),
        page("/tilsyn/opbevaring", &[ADMIN, DPO, AUDITOR]),
        form(
            "/tilsyn/opbevaring/regler",
            &[
                ("record_type", "citizen_data"),
                ("trigger", "order_closed"),
                ("months", "240"),
                ("action", "review"),
                ("legal_reference", "Arkivloven"),
                ("legal_hold", "yes"),
            ],
            &[ADMIN, DPO],
        ),
        form(
            "/tilsyn/opbevaring/regler/{rule}/ophaev",
            &[],
            &[ADMIN, DPO],
        ),
        form(
            "/tilsyn/opbevaring/koer",
            &[("dry_run", "yes")],
            &[ADMIN, DPO],
        ),
        // ---- the start page, which the overdue clocks head ------------------------------
        page("/tilsyn", &[DPO, AUDITOR]),
    ]
}

/// A `datetime-local` value in Copenhagen (23 November: UTC+1).
fn skjold_web_local(t: Timestamp) -> String {
    let utc = t.plus_seconds(HOUR).rfc3339();
    utc.get(..16).unwrap_or_default().to_owned()
}

async fn desk_routes_answer_each_role(backend: Backend) {
    let mut w = World::new(backend, 6).await;
    let dpo = w.actor(DPO).await;
    let supplier = w.actor(SUPPLIER).await;
    let now = w.app.now();
    let breach = w
        .app
        .report_breach(
            &supplier,
            Some(w.demo.municipality_id),
            &BreachReport {
                detected_by: DetectedBy::Processor,
                processor_aware_at: Some(now.plus_seconds(-HOUR)),
                ..report(now)
            },
        )
        .await
        .expect("reported");
    let cw = w.actor(CASEWORKER).await;
    let drafts = [
        w.app
            .report_processing(&cw, &draft("Første"))
            .await
            .expect("draft"),
        w.app
            .report_processing(&cw, &draft("Anden"))
            .await
            .expect("draft"),
    ];
    // Each of those who may retire rules retires its own, by the API and by the form.
    let mut rules: BTreeMap<(&str, bool), Uuid> = BTreeMap::new();
    for (i, user) in [ADMIN, DPO].into_iter().enumerate() {
        for (j, html) in [false, true].into_iter().enumerate() {
            let rule = held_rule(&format!("Regel {i}{j}"));
            let rule = RuleInput {
                period_months: 12 + u32::try_from(i * 2 + j).unwrap_or(0),
                record_type: if j == 0 {
                    RecordType::OrderMessages
                } else {
                    RecordType::RightsCase
                },
                trigger: if j == 0 {
                    Trigger::OrderClosed
                } else {
                    Trigger::CaseClosed
                },
                purpose_id: if i == 0 {
                    None
                } else {
                    Some(first_purpose(&w).await)
                },
                ..rule
            };
            let id = w.app.set_retention_rule(&dpo, &rule).await.expect("rule");
            rules.insert((user, html), id);
        }
    }
    let untouched = w
        .app
        .set_retention_rule(
            &dpo,
            &RuleInput {
                record_type: RecordType::CitizenData,
                trigger: Trigger::Received,
                ..held_rule("Ingen rører denne")
            },
        )
        .await
        .expect("rule");
    let rows = table(
        breach,
        drafts,
        w.org("Mentorhuset ApS"),
        w.demo.municipality_id,
        now,
    );

    let mut wrong = Vec::new();
    for user in USERS {
        let api = w.api(user).await;
        let browser = w.browser(user, PASSWORD).await;
        for row in &rows {
            let caller = if row.is_html() { &browser } else { &api };
            let rule = rules
                .get(&(user, row.is_html()))
                .copied()
                .unwrap_or(untouched);
            let reply = row.send(caller, rule).await;
            let allowed = row.may.contains(&user);
            let ok = reply.status.is_success() || reply.status == StatusCode::SEE_OTHER;
            if allowed != ok || (!allowed && reply.status != StatusCode::FORBIDDEN) {
                wrong.push(format!(
                    "{user} {} → {} (allowed: {allowed}) {}",
                    row.describe(),
                    reply.status,
                    &reply.body[..reply.body.len().min(300)]
                ));
            }
        }
    }
    // A citizen's session reaches none of it.
    let provider = w.citizen_provider().await;
    let (citizen, refused) = w.citizen_browser(&provider, 0).await;
    let citizen = citizen.unwrap_or_else(|| panic!("signed in: {}", refused.body));
    for row in &rows {
        let reply = row.send(&citizen, untouched).await;
        if reply.status != StatusCode::FORBIDDEN {
            wrong.push(format!("citizen {} → {}", row.describe(), reply.status));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The rules nobody was to retire are in force still.
    let rules_now = w.app.retention_rules(&dpo).await.expect("rules");
    assert!(rules_now.iter().any(|r| r.id == untouched));
    assert!(
        rules
            .values()
            .all(|id| rules_now.iter().all(|r| r.id != *id))
    );
    w.done().await;
}

async fn first_purpose(w: &World) -> Uuid {
    let dpo = w.actor(DPO).await;
    w.app.purposes(&dpo).await.expect("purposes")[0].id
}

async fn a_supplier_reports_a_breach_and_the_privacy_officer_sees_it(backend: Backend) {
    let w = World::new(backend, 4).await;
    let supplier = w.api(SUPPLIER).await;
    let now = w.app.now();
    let created = supplier
        .post_json("/api/v1/breaches", &supplier_report(&w, 2))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let b = created.json();
    let id = b["id"].as_str().expect("id").to_owned();
    assert_eq!(b["detected_by"], "processor");
    assert_eq!(b["processor_id"], json!(w.org("Mentorhuset ApS")));
    assert_eq!(b["aware_at"], now.rfc3339());
    assert_eq!(b["description"], DESCRIPTION);
    assert_eq!(b["nature"], json!(["confidentiality"]));
    assert_eq!(b["data_categories"], json!(["identity", "health"]));
    let clocks = b["clocks"].as_array().expect("clocks");
    let kinds: Vec<&str> = clocks.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert_eq!(kinds, ["processor_report", "authority", "persons"]);
    // The supplier's report is its clock met, on time (2 hours of 24).
    assert_eq!(clocks[0]["done_at"], now.rfc3339());
    assert_eq!(clocks[0]["late"], false);
    assert_eq!(
        clocks[0]["due"],
        now.plus_seconds(22 * HOUR).rfc3339(),
        "24 hours from the supplier's awareness"
    );
    assert_eq!(clocks[1]["due"], now.plus_seconds(72 * HOUR).rfc3339());
    assert_eq!(clocks[1]["done_at"], Value::Null);
    assert_eq!(clocks[1]["overdue"], false);

    // The privacy officer has it in the register, by the API and on the page.
    let dpo = w.api(DPO).await;
    let list = dpo.get("/api/v1/breaches").await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    let entry = list
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["id"] == id.as_str())
        .expect("in the register");
    let reference = entry["reference"].as_str().expect("reference").to_owned();
    assert!(reference.starts_with("BR-2026-"));
    assert_eq!(entry["processor_name"], "Mentorhuset ApS");
    assert!(
        entry.get("description").is_none(),
        "the list holds no texts"
    );
    let detail = dpo.get(&format!("/api/v1/breaches/{id}")).await.json();
    assert_eq!(detail["description"], DESCRIPTION);
    let browser = w.browser(DPO, PASSWORD).await;
    let register = browser.get("/tilsyn/brud").await;
    assert_eq!(register.status, StatusCode::OK);
    assert!(register.body.contains(&reference));
    assert!(register.body.contains(&format!("/tilsyn/brud/{id}")));
    let shown = browser.get(&format!("/tilsyn/brud/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&html_escape(DESCRIPTION)));
    assert!(shown.body.contains("Mentorhuset ApS"));
    // The report opens as a PDF.
    let pdf = dpo.get(&format!("/api/v1/breaches/{id}/report")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(content_type(&pdf), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));

    // The supplier sees its own report on its page; another supplier sees nothing.
    let supplier_page = w.browser(SUPPLIER, PASSWORD).await.get("/brud").await;
    assert_eq!(supplier_page.status, StatusCode::OK);
    assert!(supplier_page.body.contains(&reference));
    let other = w.api("praktikpartner").await;
    other
        .get(&format!("/api/v1/breaches/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "breach_not_found");
    assert_eq!(other.get("/api/v1/breaches").await.json(), json!([]));
    // A supplier without a DPA in force cannot report.
    w.api("kompetencecentret")
        .await
        .post_json("/api/v1/breaches", &supplier_report(&w, 1))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "no_dpa_in_force");
    w.done().await;
}

async fn an_overdue_clock_heads_the_start_page(backend: Backend) {
    let w = World::new(backend, 4).await;
    let browser = w.browser(DPO, PASSWORD).await;
    let aware = skjold_web_local(w.app.now());
    let recorded = browser
        .post_form(
            "/tilsyn/brud",
            &[
                ("aware_at", aware.as_str()),
                ("detected_by", "controller"),
                ("nature", "confidentiality"),
                ("nature", "availability"),
                ("description", DESCRIPTION),
                ("category", "identity"),
                ("approx_persons", "30"),
                ("contact_point", "Databeskyttelsesrådgiveren"),
                ("risk", "normal"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let to = location(&recorded);
    let id = to
        .strip_prefix("/tilsyn/brud/")
        .and_then(|s| s.split('?').next())
        .expect("the breach's page")
        .to_owned();
    let start = browser.get("/tilsyn").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(!start.body.contains("id=\"overdue-breaches\""));

    // 72 hours and a minute later, the authority's clock heads the page, above all else.
    w.clock.advance_seconds(72 * HOUR + 60);
    for user in [DPO, AUDITOR] {
        let start = w.browser(user, PASSWORD).await.get("/tilsyn").await;
        assert_eq!(start.status, StatusCode::OK);
        let alert = start
            .body
            .find("id=\"overdue-breaches\"")
            .unwrap_or_else(|| panic!("{user}: no alert"));
        let heading = start.body.find("<h1>").expect("heading");
        assert!(alert < heading, "the alert comes first");
        let link = format!("href=\"/tilsyn/brud/{id}#frister\"");
        assert!(start.body[alert..heading].contains(&link), "{user}");
        assert!(start.body[alert..heading].contains("Datatilsynet"));
    }
    // Met late without a reason: refused on the page, what was typed kept, nothing written.
    let browser = w.browser(DPO, PASSWORD).await;
    let met = skjold_web_local(w.app.now());
    let refused = browser
        .post_form(
            &format!("/tilsyn/brud/{id}/frist/authority"),
            &[("met_at", met.as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&format!("value=\"{met}\"")));
    assert!(refused.body.contains("Begrundelsen skal udfyldes"));
    let still = browser.get("/tilsyn").await;
    assert!(still.body.contains("id=\"overdue-breaches\""));
    // With the reason, the clock is met late and leaves the start page.
    let done = browser
        .post_form(
            &format!("/tilsyn/brud/{id}/frist/authority"),
            &[
                ("met_at", met.as_str()),
                ("reason", "Omfanget var først klarlagt efter tre døgn."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        !browser
            .get("/tilsyn")
            .await
            .body
            .contains("id=\"overdue-breaches\"")
    );
    let detail = w
        .api(DPO)
        .await
        .get(&format!("/api/v1/breaches/{id}"))
        .await
        .json();
    let authority = &detail["clocks"][0];
    assert_eq!(authority["kind"], "authority");
    assert_eq!(
        (authority["late"].clone(), authority["overdue"].clone()),
        (json!(true), json!(false))
    );
    assert!(
        authority["late_reason"]
            .as_str()
            .is_some_and(|r| r.contains("tre døgn"))
    );
    w.done().await;
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let w = World::new(backend, 4).await;
    let dpo = w.api(DPO).await;
    let supplier = w.api(SUPPLIER).await;
    let created = supplier
        .post_json("/api/v1/breaches", &supplier_report(&w, 1))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let register = || async { dpo.get("/api/v1/breaches").await.body };
    let before = register().await;

    let mut bad = supplier_report(&w, 1);
    bad["nature"] = json!(["confidentiality", "sabotage"]);
    supplier
        .post_json("/api/v1/breaches", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_nature");
    let mut bad = supplier_report(&w, 1);
    bad["nature"] = json!([]);
    supplier
        .post_json("/api/v1/breaches", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "breach_nature_required");
    let mut bad = supplier_report(&w, 1);
    bad["processor_aware_at"] = json!("i går ved frokosttid");
    supplier
        .post_json("/api/v1/breaches", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_request_body");
    let mut bad = supplier_report(&w, 1);
    bad["processor_aware_at"] = json!(w.app.now().plus_seconds(HOUR).rfc3339());
    supplier
        .post_json("/api/v1/breaches", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "breach_in_future");
    let mut bad = supplier_report(&w, 1);
    bad["no_risk"] = json!(true);
    supplier
        .post_json("/api/v1/breaches", &bad)
        .await
        .assert_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "breach_risk_contradiction",
        );
    let mut bad = supplier_report(&w, 1);
    bad.as_object_mut().expect("object").remove("controller_id");
    supplier
        .post_json("/api/v1/breaches", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_id");
    // A clock, a party, a window that do not exist.
    dpo.post_json(
        &format!("/api/v1/breaches/{id}/clocks/tomorrow"),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_clock");
    dpo.post_json(
        &format!("/api/v1/breaches/{id}/clocks/authority"),
        &json!({ "met_at": w.app.now().plus_seconds(HOUR).rfc3339() }),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "breach_in_future");
    let window = |kind: &str, from: Timestamp, until: Timestamp| {
        json!({ "party": { "kind": kind, "id": w.org("Mentorhuset ApS") },
            "from": from.rfc3339(), "until": until.rfc3339() })
    };
    let now = w.app.now();
    dpo.post_json(
        &format!("/api/v1/breaches/{id}/affected"),
        &window("team", Timestamp(0), now),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_party");
    dpo.post_json(
        &format!("/api/v1/breaches/{id}/affected"),
        &window("organisation", now, Timestamp(0)),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "period_backwards");
    assert_eq!(register().await, before, "the register is unchanged");
    let detail = dpo.get(&format!("/api/v1/breaches/{id}")).await.json();
    assert_eq!(detail["clocks"][1]["done_at"], Value::Null);
    assert_eq!(detail["affected"], Value::Null);

    // Retention rules: unknown keys, each with its code, and nothing written.
    let rules = dpo.get("/api/v1/retention/rules").await.body;
    let rule = json!({ "record_type": "order_messages", "trigger": "order_closed",
        "period_months": 12, "action": "delete", "legal_reference": "Aftalen" });
    for (key, value, code) in [
        ("record_type", "letters", "bad_record_type"),
        ("trigger", "never", "bad_retention_trigger"),
        ("trigger", "case_closed", "bad_retention_trigger"),
        ("action", "burn", "bad_retention_action"),
    ] {
        let mut bad = rule.clone();
        bad[key] = json!(value);
        dpo.post_json("/api/v1/retention/rules", &bad)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let mut long = rule.clone();
    long["period_months"] = json!(5000);
    dpo.post_json("/api/v1/retention/rules", &long)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "retention_period");
    assert_eq!(dpo.get("/api/v1/retention/rules").await.body, rules);
    // A processing draft with an unknown category.
    let cw = w.api(CASEWORKER).await;
    let drafts = cw.get("/api/v1/records/drafts").await.body;
    cw.post_json(
        "/api/v1/records/drafts",
        &json!({ "name": "X", "purpose": "Y", "subject_categories": "Z", "data_categories": ["weather"] }),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "required");
    assert_eq!(cw.get("/api/v1/records/drafts").await.body, drafts);

    // The form: no nature ticked. Refused with what was typed kept, and nothing written.
    let browser = w.browser(DPO, PASSWORD).await;
    let typed = "Printeren på 3. sal udskrev <sagsakter> til forkert bakke";
    let aware = skjold_web_local(w.app.now());
    let refused = browser
        .post_form(
            "/tilsyn/brud",
            &[
                ("aware_at", aware.as_str()),
                ("description", typed),
                ("category", "social"),
                ("contact_point", "DPO"),
                ("risk", "high"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("fortrolighed, integritet eller tilgængelighed")
    );
    // Kept, and escaped.
    assert!(
        refused
            .body
            .contains("udskrev &#60;sagsakter&#62; til forkert bakke")
    );
    assert!(!refused.body.contains("<sagsakter>"));
    assert!(refused.body.contains("value=\"social\" checked"));
    assert!(refused.body.contains("value=\"high\" checked"));
    assert!(!refused.title().unwrap_or_default().contains("Printeren"));
    // An unknown nature by hand.
    let forged = browser
        .post_form(
            "/tilsyn/brud",
            &[
                ("aware_at", aware.as_str()),
                ("nature", "sabotage"),
                ("description", typed),
                ("contact_point", "DPO"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_time = browser
        .post_form(
            "/tilsyn/brud",
            &[
                ("aware_at", "i går"),
                ("nature", "integrity"),
                ("description", typed),
                ("contact_point", "DPO"),
            ],
        )
        .await;
    assert_eq!(no_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(register().await, before, "the register is unchanged");
    w.done().await;
}

async fn records_export_in_three_formats_over_the_api(backend: Backend) {
    let w = World::new(backend, 4).await;
    let dpo = w.api(DPO).await;
    let json_export = dpo.get("/api/v1/records").await;
    assert_eq!(json_export.status, StatusCode::OK, "{}", json_export.body);
    assert_eq!(content_type(&json_export), "application/json");
    let disposition = json_export.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("disposition");
    assert!(disposition.starts_with("attachment") && disposition.contains("fortegnelse-"));
    let records = json_export.json();
    assert!(
        records["records"]["units"]
            .as_array()
            .is_some_and(|u| !u.is_empty())
    );
    assert_eq!(records["reviewed"], Value::Null);
    let csv = dpo.get("/api/v1/records?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(content_type(&csv).starts_with("text/csv"));
    assert!(csv.body.starts_with("art30,"));
    assert!(csv.body.contains("30(2),Mentorhuset ApS"));
    let pdf = dpo.get("/api/v1/records?format=pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(content_type(&pdf), "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    dpo.get("/api/v1/records?format=xml")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "export_format");
    dpo.get("/api/v1/records?version=first")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_request_body");
    // A review keeps a version, which exports as it was.
    let kept = dpo
        .post_json(
            "/api/v1/records/review",
            &json!({ "note": "Årlig gennemgang" }),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert_eq!(kept.json()["version"], 1);
    let versions = dpo.get("/api/v1/records/versions").await.json();
    assert_eq!(versions[0]["note"], "Årlig gennemgang");
    let auditor = w.api(AUDITOR).await;
    let v1 = auditor.get("/api/v1/records?format=json&version=1").await;
    assert_eq!(v1.status, StatusCode::OK);
    assert_eq!(v1.json()["reviewed"]["version"], 1);
    let v1_pdf = auditor.get("/api/v1/records?format=pdf&version=1").await;
    assert!(v1_pdf.body.starts_with("%PDF"));
    auditor
        .get("/api/v1/records?version=9")
        .await
        .assert_error(StatusCode::NOT_FOUND, "records_version_not_found");
    // The same files from the page's links.
    let browser = w.browser(DPO, PASSWORD).await;
    let page_csv = browser.get("/tilsyn/fortegnelse/eksport/csv").await;
    assert_eq!(page_csv.status, StatusCode::OK);
    assert!(page_csv.body.starts_with("art30,"));
    let page_json = browser
        .get("/tilsyn/fortegnelse/eksport/json?version=1")
        .await;
    assert_eq!(page_json.json()["reviewed"]["note"], "Årlig gennemgang");
    w.api(CASEWORKER)
        .await
        .get("/api/v1/records?format=csv")
        .await
        .assert_error(StatusCode::FORBIDDEN, "role_not_allowed");
    w.done().await;
}

async fn the_desk_forms_work_and_titles_stay_plain(backend: Backend) {
    let w = World::new(backend, 4).await;
    let dpo = w.actor(DPO).await;
    // A breach whose description names a citizen: the page shows it, its title does not.
    let citizen = w.demo.citizens[0].name.clone();
    let description = format!("{citizen}s sag blev sendt til en forkert modtager");
    let id = w
        .app
        .report_breach(
            &dpo,
            None,
            &BreachReport {
                description: description.clone(),
                ..report(w.app.now())
            },
        )
        .await
        .expect("recorded");
    let browser = w.browser(DPO, PASSWORD).await;
    let shown = browser.get(&format!("/tilsyn/brud/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&html_escape(&description)));
    let title = shown.title().expect("title").to_owned();
    assert!(title.starts_with("Brud BR-2026-"), "{title}");
    assert!(
        !title.contains(&citizen) && !title.contains("modtager"),
        "{title}"
    );
    assert!(
        shown
            .body
            .contains("role=\"region\" aria-label=\"Frister\"")
    );

    // The affected persons: a search shows counts, attaching keeps them on the breach.
    let search = [
        ("party", "organisation"),
        ("organisation", &w.org("Mentorhuset ApS").to_string()),
        ("from", "2020-01-01"),
        ("until", &w.app.now().local_date().to_string()),
    ]
    .map(|(k, v)| (k, v.to_owned()));
    let search: Vec<(&str, &str)> = search.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let found = browser
        .post_form(&format!("/tilsyn/brud/{id}/beroerte"), &search)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains("id=\"found-persons\""));
    assert!(found.body.contains("id=\"per-category\""));
    assert!(found.body.contains("Identitet"));
    let attached = browser
        .post_form(&format!("/tilsyn/brud/{id}/beroerte/tilknyt"), &search)
        .await;
    assert_eq!(attached.status, StatusCode::SEE_OTHER, "{}", attached.body);
    let after = browser.get(&target(&attached)).await;
    assert!(after.body.contains("id=\"attached\""));
    assert!(
        after
            .body
            .contains("De berørte personer er knyttet til bruddet")
    );
    // A user by user name; one that is not the municipality's is no user of it.
    let by_user = browser
        .post_form(
            &format!("/tilsyn/brud/{id}/beroerte"),
            &[
                ("party", "user"),
                ("username", "mentorhuset"),
                ("from", "2020-01-01"),
                ("until", "2030-01-01"),
            ],
        )
        .await;
    assert_eq!(by_user.status, StatusCode::OK, "{}", by_user.body);
    assert!(by_user.body.contains("id=\"found-persons\""));
    let foreign = browser
        .post_form(
            &format!("/tilsyn/brud/{id}/beroerte"),
            &[
                ("party", "user"),
                ("username", "ingen.saadan"),
                ("from", "2020-01-01"),
                ("until", "2030-01-01"),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.body.contains("value=\"ingen.saadan\""));

    // A unit reports a new processing; the privacy officer approves it into the record.
    let cw = w.browser(CASEWORKER, PASSWORD).await;
    let form = cw.get("/fortegnelse/anmeld").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("href=\"/fortegnelse/anmeld\" aria-current=\"page\"")
    );
    let refused = cw
        .post_form(
            "/fortegnelse/anmeld",
            &[
                ("name", "Jobrotation"),
                ("purpose", "Vikarer i virksomheder"),
                ("subject_categories", "Ledige"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("value=\"Jobrotation\""));
    let reported = cw
        .post_form(
            "/fortegnelse/anmeld",
            &[
                ("name", "Jobrotation"),
                ("purpose", "Vikarer i virksomheder"),
                ("subject_categories", "Ledige"),
                ("category", "identity"),
                ("category", "employment"),
                ("recipients", "Virksomheder"),
                ("retention", "5 år"),
                ("question", "Er virksomhederne databehandlere?"),
            ],
        )
        .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER, "{}", reported.body);
    let draft = w.app.processing_drafts(&dpo).await.expect("drafts")[0].id;
    let records = browser.get("/tilsyn/fortegnelse").await;
    assert_eq!(records.status, StatusCode::OK);
    assert!(records.body.contains("Er virksomhederne databehandlere?"));
    assert!(records.body.contains(&format!(
        "action=\"/tilsyn/fortegnelse/anmeldelser/{draft}\""
    )));
    let approved = browser
        .post_form(
            &format!("/tilsyn/fortegnelse/anmeldelser/{draft}"),
            &[
                ("decision", "approve"),
                ("comment", "Godkendt som beskrevet"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let records = browser.get("/tilsyn/fortegnelse").await;
    assert!(records.body.contains("Anmeldt af enheden"));
    assert!(records.body.contains(
        "role=\"region\" aria-label=\"Behandlingsaktiviteter i Jobcenter København Nord\""
    ));
    let reviewed = browser
        .post_form(
            "/tilsyn/fortegnelse/gennemgaa",
            &[("note", "Jobrotation tilføjet")],
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER);
    let records = browser.get(&target(&reviewed)).await;
    assert!(records.body.contains("id=\"versions\""));
    assert!(records.body.contains("Jobrotation tilføjet"));
    let own = cw.get("/fortegnelse/anmeld").await;
    assert!(own.body.contains("Godkendt som beskrevet"));
    assert!(own.body.contains("data-status=\"approved\""));

    // Retention: a rule by the form (kept after a refusal), a dry run, then the run.
    let admin = w.browser(ADMIN, PASSWORD).await;
    let page = admin.get("/tilsyn/opbevaring").await;
    assert_eq!(page.status, StatusCode::OK);
    let bad = admin
        .post_form(
            "/tilsyn/opbevaring/regler",
            &[
                ("record_type", "order_messages"),
                ("trigger", "received"),
                ("months", "24"),
                ("action", "delete"),
                ("legal_reference", "Aftalens § 9"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"Aftalens § 9\""));
    let added = admin
        .post_form(
            "/tilsyn/opbevaring/regler",
            &[
                ("record_type", "order_messages"),
                ("trigger", "order_closed"),
                ("months", "24"),
                ("action", "delete"),
                ("legal_reference", "Aftalens § 9"),
                ("legal_hold", "yes"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(
        admin
            .get("/tilsyn/opbevaring")
            .await
            .body
            .contains("Aftalens § 9")
    );
    let dry = browser
        .post_form("/tilsyn/opbevaring/koer", &[("dry_run", "yes")])
        .await;
    assert_eq!(dry.status, StatusCode::OK);
    assert!(dry.body.contains("Prøvekørsel: intet er ændret"));
    assert!(
        dry.body
            .contains("2 registrering(er) ville blive behandlet")
    );
    assert!(dry.body.contains("Ingen kvitteringer."));
    let run = browser
        .post_form("/tilsyn/opbevaring/koer", &[("dry_run", "no")])
        .await;
    assert_eq!(run.status, StatusCode::OK);
    assert!(run.body.contains("Reglerne er kørt"));
    assert!(run.body.contains("Viser 1–2 af 2"));
    // The receipts name what was handled by type and action, not by internal id (the
    // API carries the ids).
    let historic = w.demo.historic[0].id.to_string();
    assert!(!run.body.contains(&historic));
    let receipts = w
        .api(AUDITOR)
        .await
        .get("/api/v1/retention/receipts?limit=1")
        .await
        .json();
    assert_eq!(
        (
            receipts["total"].clone(),
            receipts["receipts"].as_array().map(Vec::len)
        ),
        (json!(2), Some(1))
    );
    let auditor = w.browser(AUDITOR, PASSWORD).await;
    let read_only = auditor.get("/tilsyn/opbevaring").await;
    assert_eq!(read_only.status, StatusCode::OK);
    assert!(read_only.body.contains("id=\"receipts\""));
    assert!(
        !read_only
            .body
            .contains("action=\"/tilsyn/opbevaring/koer\"")
    );
    // Every desk page has a short plain title.
    for (caller, path) in [
        (&browser, "/tilsyn/brud".to_owned()),
        (&browser, "/tilsyn/fortegnelse".to_owned()),
        (&browser, "/tilsyn/opbevaring".to_owned()),
        (&cw, "/fortegnelse/anmeld".to_owned()),
        (&auditor, format!("/tilsyn/brud/{id}")),
    ] {
        let reply = caller.get(&path).await;
        let title = reply.title().expect("title");
        assert!(
            title.chars().count() <= 70 && !title.contains('<'),
            "{path}: {title}"
        );
        assert!(!title.contains(&citizen), "{path}: {title}");
    }
    w.done().await;
}

//! Data-subject rights (issue: citizens in, rights out), from intake to the citizen's
//! letter, one scenario per right, on SQLite and PostgreSQL: access answered from the
//! ledger, gathering from units and suppliers, extension, rectification, restriction,
//! erasure, the recipients' notices, and what is refused with nothing written.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::at_rest::at_rest;
use crate::common::World;
use crate::erasure::{found, wrapped_key};
use skjold_app::rights::{CaseInput, DecisionInput};
use skjold_core::rights::CaseStatus;
use skjold_core::{FieldKey, Problem};
use skjold_store::Backend;

crate::on_both_backends!(
    access_answer_names_exactly_the_ledgers_recipients,
    a_wide_access_request_gathers_parts_from_units_and_suppliers,
    the_deadline_is_a_month_and_extends_once_with_a_notice,
    rectification_notes_beside_the_item_and_tells_the_recipient,
    restriction_takes_the_item_out_of_the_suppliers_view,
    erasure_respects_the_duty_to_keep_records_then_destroys_the_key,
    bad_requests_are_refused_with_nothing_written,
    cases_are_the_units_and_notices_the_suppliers,
    automated_decisions_in_the_answer_are_the_purposes,
    portability_reaches_only_data_on_consent_or_contract,
);

/// The citizen a scenario works on: found by the caseworker, with a Mentorstøtte order
/// at Mentorhuset (name, job goal and more go automatically) and the health field
/// disclosed on a justified decision.
async fn citizen_with_mentor(w: &World, index: usize) -> (Uuid, Uuid) {
    let cw = w.actor("sagsbehandler").await;
    let c = &w.demo.citizens[index];
    w.search(&cw, c).await;
    let order = w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await;
    w.app
        .disclose(
            &cw,
            order,
            "health",
            "Mentoren skal kende skånehensynene for at tilrettelægge forløbet.",
        )
        .await
        .expect("disclose");
    (c.id, order)
}

fn case_input(citizen: Uuid, kind: &str, received_on: &str) -> CaseInput {
    CaseInput {
        citizen,
        kind: kind.into(),
        received_on: received_on.into(),
        channel: "digital_post".into(),
        description: "Borgerens anmodning, med borgerens egne ord.".into(),
        ..CaseInput::default()
    }
}

fn decision(outcome: &str, reasons: &str) -> DecisionInput {
    DecisionInput {
        outcome: outcome.into(),
        reasons: reasons.into(),
        ..DecisionInput::default()
    }
}

/// The ids of the citizen's current items of `fields`.
async fn items(w: &World, citizen: Uuid, fields: &[FieldKey]) -> Vec<Uuid> {
    let cw = w.actor("sagsbehandler").await;
    w.app
        .citizen(&cw, citizen)
        .await
        .expect("citizen")
        .data
        .iter()
        .filter(|d| fields.contains(&d.field))
        .map(|d| d.id)
        .collect()
}

fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    pdf_extract::extract_text_from_mem(pdf).expect("the letter's text")
}

async fn access_answer_names_exactly_the_ledgers_recipients(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (citizen, _) = citizen_with_mentor(&w, 5).await;
    let cw = w.actor("sagsbehandler").await;
    // A second supplier: the answer names both, and no one else.
    w.order(&cw, citizen, "PRAKTIK", "Praktikpartner A/S").await;
    let api = w.api("sagsbehandler").await;

    let created = api
        .post_json(
            "/api/v1/rights-cases",
            &json!({
                "citizen": citizen,
                "kind": "access",
                "received_at": "2026-10-31",
                "channel": "email",
                "description": "Jeg vil se, hvad I har givet videre om mig.",
                "access": {"wish": "my_data_in_a_case", "scope": "case", "scope_detail": "Mentorforløb"}
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert!(
        created.json()["reference"]
            .as_str()
            .expect("reference")
            .starts_with("R-2026-")
    );

    // 31 October + one month is 30 November: the end of the month holds.
    let case = api.get(&format!("/api/v1/rights-cases/{id}")).await.json();
    assert_eq!(case["due"], "2026-11-30");
    assert_eq!(case["first_deadline"], "2026-11-30");
    assert_eq!(case["status"], "received");
    assert_eq!(case["regime"], "gdpr");
    assert_eq!(
        case["urgency"], "due_soon",
        "due within 7 days of 23 November"
    );
    // The list puts it first.
    let list = api.get("/api/v1/rights-cases").await.json();
    assert_eq!(list[0]["id"], id.as_str());

    // No decision before the identity is checked.
    api.post_json(
        &format!("/api/v1/rights-cases/{id}/decision"),
        &json!({"outcome": "granted", "reasons": "Borgeren har ret til indsigt i egne oplysninger."}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "identity_not_checked");
    let checked = api
        .post_json(
            &format!("/api/v1/rights-cases/{id}/identity"),
            &json!({"method": "Sendt fra borgerens Digital Post"}),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let decided = api
        .post_json(
            &format!("/api/v1/rights-cases/{id}/decision"),
            &json!({"outcome": "granted", "reasons": "Borgeren har ret til indsigt i egne oplysninger."}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);

    // The recipients are the ledger's: exactly the suppliers that received data.
    let answer = api
        .get(&format!("/api/v1/rights-cases/{id}/answer"))
        .await
        .json();
    let named: BTreeSet<String> = answer["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| r["supplier"].as_str().expect("supplier").to_owned())
        .collect();
    let dpo = w.actor("dpo").await;
    let ledger = w
        .app
        .ledger(&dpo, &skjold_app::oversight::OversightQuery::default())
        .await
        .expect("ledger")
        .entries;
    let received: BTreeSet<String> = ledger
        .iter()
        .filter(|e| e.subject_id == citizen)
        .map(|e| e.supplier_name.clone())
        .collect();
    assert_eq!(named, received);
    assert_eq!(
        named,
        BTreeSet::from([
            "Mentorhuset ApS".to_owned(),
            "Praktikpartner A/S".to_owned()
        ])
    );
    let mentor = answer["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .find(|r| r["supplier"] == "Mentorhuset ApS")
        .expect("Mentorhuset");
    let health = mentor["disclosures"]
        .as_array()
        .expect("disclosures")
        .iter()
        .find(|d| d["field"] == "health")
        .expect("the health disclosure");
    assert_eq!(health["kind"], "manual");
    assert!(
        health["justification"]
            .as_str()
            .expect("why")
            .contains("skånehensyn")
    );
    // Purposes with their legal basis and retention, categories, sources, the copy.
    let purposes = answer["purposes"].as_array().expect("purposes");
    assert!(!purposes.is_empty());
    assert!(
        purposes
            .iter()
            .all(|p| !p["retention"].as_str().unwrap_or("").is_empty())
    );
    assert!(
        !answer["categories"]
            .as_array()
            .expect("categories")
            .is_empty()
    );
    assert!(
        answer["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .any(|s| s == "CPR-registret")
    );
    let c = &w.demo.citizens[5];
    assert!(
        answer["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["field"] == "cpr" && i["value"] == c.cpr.formatted())
    );
    assert_eq!(answer["reviewed"], false);

    // The letter can't go before the draft is reviewed.
    api.post_json(&format!("/api/v1/rights-cases/{id}/send"), &json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "answer_not_reviewed");
    let draft = api
        .get(&format!("/api/v1/rights-cases/{id}/answer?format=pdf"))
        .await;
    assert_eq!(draft.status, StatusCode::OK);
    assert_eq!(draft.headers["content-type"], "application/pdf");
    let reviewed = api
        .post_json(&format!("/api/v1/rights-cases/{id}/review"), &json!({}))
        .await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.body);
    let sent = api
        .post_json(&format!("/api/v1/rights-cases/{id}/send"), &json!({}))
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

    // The letter went to the citizen's digital mailbox: a PDF naming both recipients.
    let letters = w.letters.sent();
    let letter = letters.last().expect("a letter");
    assert_eq!(letter.cpr, c.cpr.formatted());
    let text = pdf_text(&letter.pdf);
    assert!(text.contains("Mentorhuset ApS"), "{text}");
    assert!(text.contains("Praktikpartner A/S"));
    assert!(!text.contains("Kompetencecentret"));
    assert!(text.contains("Datatilsynet"), "the right to complain");
    let case = api.get(&format!("/api/v1/rights-cases/{id}")).await.json();
    assert_eq!(case["status"], "answered");
    assert_eq!(case["urgency"], "done");
    // Answered is answered.
    api.post_json(&format!("/api/v1/rights-cases/{id}/send"), &json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "case_answered");
    assert_eq!(w.letters.sent().len(), letters.len());
    w.done().await;
}

async fn a_wide_access_request_gathers_parts_from_units_and_suppliers(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (citizen, order) = citizen_with_mentor(&w, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let mut input = case_input(citizen, "access", "2026-11-20");
    input.access = Some(skjold_app::rights::AccessInput {
        wish: "my_data_broadly".into(),
        scope: "administration".into(),
        scope_detail: "Beskæftigelsesforvaltningen".into(),
        ..Default::default()
    });
    let (id, reference) = w.app.open_rights_case(&cw, &input).await.expect("case");
    let case = w.app.rights_case(&cw, id).await.expect("case");
    assert_eq!(case.summary.status, CaseStatus::Gathering);
    // A part for each unit and for the supplier that received data, well inside the month.
    let from: BTreeSet<&str> = case
        .tasks
        .iter()
        .map(|t| t.organisation_name.as_str())
        .collect();
    assert_eq!(
        from,
        BTreeSet::from([
            "Jobcenter København Nord",
            "Jobcenter København Syd",
            "Mentorhuset ApS"
        ])
    );
    assert!(case.tasks.iter().all(|t| t.due < case.summary.due));

    // The supplier sees its part, with the order by which it knows the citizen; another
    // supplier sees nothing.
    let mentor = w.api("mentorhuset").await;
    let tasks = mentor.get("/api/v1/rights-tasks").await.json();
    let tasks = tasks.as_array().expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["case_reference"], reference.as_str());
    let order_ref = w
        .app
        .caseworker_order(&cw, order)
        .await
        .expect("order")
        .order
        .reference;
    assert_eq!(tasks[0]["orders"], json!([order_ref]));
    let other = w.api("praktikpartner").await;
    assert_eq!(other.get("/api/v1/rights-tasks").await.json(), json!([]));
    let task = tasks[0]["id"].as_str().expect("task").to_owned();
    other
        .post_json(
            &format!("/api/v1/rights-tasks/{task}/contribution"),
            &json!({"contribution": "Vi har intet."}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "rights_task_not_found");
    let given = mentor
        .post_json(
            &format!("/api/v1/rights-tasks/{task}/contribution"),
            &json!({"contribution": "Mødereferater fra tre samtaler; borgerens kontaktperson hos os er Ole Hansen, tlf. 31 32 33 34."}),
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    mentor
        .post_json(
            &format!("/api/v1/rights-tasks/{task}/contribution"),
            &json!({"contribution": "Igen."}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "task_contributed");

    // The part joins the answer; the other person's name and number are marked in the
    // draft and replaced in the answer that goes out.
    w.app
        .check_rights_identity(&cw, id, "MitID ved fremmøde")
        .await
        .expect("identity");
    w.app
        .decide_rights_case(
            &cw,
            id,
            &decision(
                "granted",
                "Borgeren har ret til indsigt i egne oplysninger.",
            ),
        )
        .await
        .expect("decide");
    let draft = w.app.access_answer(&cw, id).await.expect("draft");
    assert!(
        draft
            .contributions
            .iter()
            .any(|(org, _)| org == "Mentorhuset ApS")
    );
    let marked: BTreeSet<&str> = draft
        .third_parties
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert!(
        marked.iter().any(|m| m.contains("Ole Hansen")),
        "{marked:?}"
    );
    assert!(
        marked.iter().any(|m| m.contains("31 32 33 34")),
        "{marked:?}"
    );
    let own = &w.demo.citizens[4];
    assert!(
        !marked.iter().any(|m| own.name.contains(m)),
        "the citizen's own name is no third party"
    );
    w.app.review_rights_answer(&cw, id).await.expect("review");
    let answer = w.app.access_answer(&cw, id).await.expect("answer");
    let text = serde_json::to_string(&answer).expect("json");
    assert!(
        !text.contains("Ole Hansen") && !text.contains("31 32 33 34"),
        "{text}"
    );
    assert!(
        text.contains("[NAVN]") || text.contains("[PERSON]"),
        "{text}"
    );
    w.app.send_rights_answer(&cw, id).await.expect("send");
    let letter = w.letters.sent().pop().expect("letter");
    let pdf = pdf_text(&letter.pdf);
    assert!(pdf.contains("Mødereferater"));
    assert!(!pdf.contains("Ole Hansen"));
    w.done().await;
}

async fn the_deadline_is_a_month_and_extends_once_with_a_notice(backend: Backend) {
    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[3].id;
    let (id, _) = w
        .app
        .open_rights_case(&cw, &case_input(citizen, "portability", "2026-11-02"))
        .await
        .expect("case");
    assert_refused!(
        w.app
            .extend_rights_case(&cw, id, 3, "Mange fagsystemer skal trækkes ud.")
            .await,
        Problem::ExtensionTooLong { max: 2 }
    );
    assert_refused!(
        w.app.extend_rights_case(&cw, id, 1, "").await,
        Problem::Required(_) | Problem::TooShort { .. }
    );
    assert!(
        w.letters.sent().is_empty(),
        "no notice for a refused extension"
    );
    let until = w
        .app
        .extend_rights_case(&cw, id, 2, "Oplysningerne ligger i flere fagsystemer.")
        .await
        .expect("extend");
    assert_eq!(until.to_string(), "2027-02-02");
    let case = w.app.rights_case(&cw, id).await.expect("case");
    assert!(case.summary.extended);
    assert_eq!(case.first_deadline.to_string(), "2026-12-02");
    assert!(case.extension_notice_at.is_some());
    let notice = w.letters.sent().pop().expect("the notice to the citizen");
    assert_eq!(notice.cpr, w.demo.citizens[3].cpr.formatted());
    let text = pdf_text(&notice.pdf);
    assert!(text.contains("flere fagsystemer"), "{text}");
    assert_refused!(
        w.app
            .extend_rights_case(&cw, id, 1, "Endnu en forlængelse ønskes.")
            .await,
        Problem::AlreadyExtended
    );

    // Past the first deadline, an extension comes too late; the case heads the list.
    let (late, _) = w
        .app
        .open_rights_case(&cw, &case_input(citizen, "objection", "2026-10-01"))
        .await
        .expect("case");
    assert_refused!(
        w.app
            .extend_rights_case(&cw, late, 1, "Sagen er kompleks og kræver tid.")
            .await,
        Problem::ExtensionTooLate
    );
    let list = w.app.rights_cases(&cw).await.expect("list");
    assert_eq!(list[0].id, late);
    assert_eq!(list[0].urgency.key(), "overdue");
    w.done().await;
}

async fn rectification_notes_beside_the_item_and_tells_the_recipient(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (citizen, order) = citizen_with_mentor(&w, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let supplier = w.actor("mentorhuset").await;
    let goal = items(&w, citizen, &[FieldKey::JobGoal]).await;
    assert_eq!(goal.len(), 1);
    let before = w.app.supplier_order(&supplier, order).await.expect("view");
    let old_goal = before
        .fields
        .iter()
        .find(|f| f.field == FieldKey::JobGoal)
        .expect("the job goal went automatically")
        .value
        .clone();

    let mut input = case_input(citizen, "rectification", "2026-11-20");
    input.items = goal.clone();
    input.restrict_while_investigating = true;
    let (id, _) = w.app.open_rights_case(&cw, &input).await.expect("case");
    // While the accuracy is investigated, the supplier does not see the item.
    let during = w.app.supplier_order(&supplier, order).await.expect("view");
    assert!(!during.fields.iter().any(|f| f.field == FieldKey::JobGoal));

    w.app
        .check_rights_identity(&cw, id, "MitID")
        .await
        .expect("identity");
    let note = "Jobmålet er tømrer, ikke maler (bekræftet i jobsamtale 18.11.).";
    assert_refused!(
        w.app
            .decide_rights_case(
                &cw,
                id,
                &DecisionInput {
                    judgement: "incorrect".into(),
                    note: note.into(),
                    reasons: "".into(),
                    ..DecisionInput::default()
                },
            )
            .await,
        Problem::Required(_) | Problem::TooShort { .. }
    );
    w.app
        .decide_rights_case(
            &cw,
            id,
            &DecisionInput {
                judgement: "incorrect".into(),
                note: note.into(),
                reasons: "Oplysningen er urigtig; det fremgår af referatet.".into(),
                ..DecisionInput::default()
            },
        )
        .await
        .expect("decide");

    // Nothing is overwritten: the item shows again with its note, to the supplier and to
    // the caseworker.
    let after = w.app.supplier_order(&supplier, order).await.expect("view");
    let shown = after
        .fields
        .iter()
        .find(|f| f.field == FieldKey::JobGoal)
        .expect("shown again");
    assert_eq!(shown.value, old_goal);
    assert_eq!(shown.rectification.as_deref(), Some(note));
    let view = w.app.citizen(&cw, citizen).await.expect("citizen");
    let datum = view
        .data
        .iter()
        .find(|d| d.field == FieldKey::JobGoal)
        .expect("goal");
    assert_eq!(datum.rectification.as_deref(), Some(note));

    // The recipient is told, with the copy before and after; only that recipient.
    let mentor = w.api("mentorhuset").await;
    let notices = mentor.get("/api/v1/notifications").await.json();
    let notices = notices.as_array().expect("notices");
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["kind"], "rectification");
    assert_eq!(notices[0]["fields"], json!(["job_goal"]));
    assert_eq!(notices[0]["before"][0]["value"], old_goal.as_str());
    assert_eq!(notices[0]["after"][0]["value"], note);
    let notice = notices[0]["id"].as_str().expect("id").to_owned();
    let other = w.api("praktikpartner").await;
    assert_eq!(other.get("/api/v1/notifications").await.json(), json!([]));
    other
        .post_json(
            &format!("/api/v1/notifications/{notice}/acknowledge"),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "notice_not_found");

    // Unacknowledged after 14 days, it shows to the caseworker and the privacy officer.
    w.clock.advance_seconds(15 * 86_400);
    let dpo = w.actor("dpo").await;
    for who in [&cw, &dpo] {
        let list = w.app.rights_cases(who).await.expect("list");
        let case = list.iter().find(|c| c.id == id).expect("the case");
        assert_eq!(case.overdue_notices, 1);
    }
    let acked = mentor
        .post_json(
            &format!("/api/v1/notifications/{notice}/acknowledge"),
            &json!({}),
        )
        .await;
    assert_eq!(acked.status, StatusCode::OK, "{}", acked.body);
    mentor
        .post_json(
            &format!("/api/v1/notifications/{notice}/acknowledge"),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "notice_acknowledged");
    let list = w.app.rights_cases(&cw).await.expect("list");
    assert_eq!(
        list.iter()
            .find(|c| c.id == id)
            .expect("case")
            .overdue_notices,
        0
    );

    // The citizen is told the outcome by letter, with the right to complain.
    w.app.send_rights_answer(&cw, id).await.expect("send");
    let text = pdf_text(&w.letters.sent().pop().expect("letter").pdf);
    assert!(text.contains("Datatilsynet"));
    assert!(text.contains("Oplysningen er urigtig"));
    w.done().await;
}

async fn restriction_takes_the_item_out_of_the_suppliers_view(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (citizen, order) = citizen_with_mentor(&w, 2).await;
    let cw = w.actor("sagsbehandler").await;
    let supplier = w.actor("mentorhuset").await;
    let health = items(&w, citizen, &[FieldKey::Health]).await;
    let mut input = case_input(citizen, "restriction", "2026-11-15");
    input.items = health.clone();
    let (id, _) = w.app.open_rights_case(&cw, &input).await.expect("case");
    w.app
        .check_rights_identity(&cw, id, "MitID")
        .await
        .expect("identity");
    w.app
        .decide_rights_case(
            &cw,
            id,
            &DecisionInput {
                outcome: "granted".into(),
                ground: "legal_claims".into(),
                reasons: "Borgeren skal bruge oplysningerne i en klagesag.".into(),
                ..DecisionInput::default()
            },
        )
        .await
        .expect("decide");
    // Out of the supplier's view, and out of ordinary processing for the caseworker.
    let view = w.app.supplier_order(&supplier, order).await.expect("view");
    assert!(!view.fields.iter().any(|f| f.field == FieldKey::Health));
    let other = w.order(&cw, citizen, "AFKLAR", "Praktikpartner A/S").await;
    assert_refused!(
        w.app
            .disclose(
                &cw,
                other,
                "health",
                "Praktikstedet skal kende skånehensynene."
            )
            .await,
        Problem::DataRestricted(FieldKey::Health)
    );
    // Rights handling still reads it.
    let case = w.app.rights_case(&cw, id).await.expect("case");
    assert!(
        case.items
            .iter()
            .all(|i| i.restricted && !i.value.is_empty())
    );
    // The supplier is told to restrict its copy.
    let notices = w.app.supplier_notices(&supplier).await.expect("notices");
    assert_eq!(notices.len(), 1);
    assert!(notices[0].restricted);
    w.done().await;
}

async fn erasure_respects_the_duty_to_keep_records_then_destroys_the_key(backend: Backend) {
    let w = World::new(backend, 8).await;
    let (citizen, order) = citizen_with_mentor(&w, 7).await;
    let cw = w.actor("sagsbehandler").await;
    let c = w.demo.citizens[7].clone();
    let (id, _) = w
        .app
        .open_rights_case(&cw, &case_input(citizen, "erasure", "2026-11-10"))
        .await
        .expect("case");
    w.app
        .check_rights_identity(&cw, id, "MitID")
        .await
        .expect("identity");
    let erase = DecisionInput {
        outcome: "granted".into(),
        ground: "no_longer_needed".into(),
        reasons: "Forløbet er afsluttet; oplysningerne er ikke længere nødvendige.".into(),
        ..DecisionInput::default()
    };
    // An open case must be kept: refused, and nothing written.
    assert_refused!(
        w.app.decide_rights_case(&cw, id, &erase).await,
        Problem::DutyToKeepRecords
    );
    let case = w.app.rights_case(&cw, id).await.expect("case");
    assert_eq!(case.summary.status, CaseStatus::Received);
    assert!(w.letters.sent().is_empty());

    w.app.close_order(&cw, order).await.expect("close");
    let wrapped = wrapped_key(&w.db, citizen).await.expect("a key");
    w.app
        .decide_rights_case(&cw, id, &erase)
        .await
        .expect("erase");
    // Nothing of theirs is left in the database or the key store, not even the key.
    assert_eq!(found(&at_rest(&w), &c, &wrapped), Vec::<String>::new());
    // The letter went out first, to the citizen's mailbox, with the date the key leaves
    // the key store's backups.
    let letter = w.letters.sent().pop().expect("the decision letter");
    assert_eq!(letter.cpr, c.cpr.formatted());
    let text = pdf_text(&letter.pdf);
    assert!(text.contains("slettet"), "{text}");
    let case = w.app.rights_case(&cw, id).await.expect("case");
    assert_eq!(case.summary.status, CaseStatus::Answered);
    assert!(case.erased_at.is_some());
    let gone_by = case.key_gone_by.expect("the key-backup date");
    assert!(gone_by > w.app.now().local_date());
    assert!(text.contains(&gone_by.danish()), "{text}");
    assert!(case.citizen_name.is_none());
    // The citizen is gone for everyone.
    assert!(w.app.citizen(&cw, citizen).await.is_err());
    assert!(w.app.find_citizen(&cw, &c.cpr.formatted()).await.is_err());
    // The supplier is asked to delete its copies.
    let supplier = w.actor("mentorhuset").await;
    let notices = w.app.supplier_notices(&supplier).await.expect("notices");
    assert!(notices.iter().any(|n| n.kind.key() == "erasure"));
    // Other citizens read as before.
    let other = &w.demo.citizens[1];
    w.search(&cw, other).await;
    assert!(w.app.citizen(&cw, other.id).await.is_ok());
    w.done().await;
}

async fn bad_requests_are_refused_with_nothing_written(backend: Backend) {
    let w = World::new(backend, 8).await;
    let api = w.api("sagsbehandler").await;
    let citizen = w.demo.citizens[1].id;
    let other = w.demo.citizens[2].id;
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &w.demo.citizens[1]).await;
    w.search(&cw, &w.demo.citizens[2]).await;
    let foreign = items(&w, other, &[FieldKey::Phone]).await;
    let base = json!({
        "citizen": citizen, "kind": "access", "received_at": "2026-11-20",
        "channel": "letter", "description": "Indsigt, tak.",
        "access": {"wish": "whole_case", "scope": "case"}
    });
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            with("kind", json!("everything")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_right_kind",
        ),
        (
            with("channel", json!("pigeon")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_intake_channel",
        ),
        (
            with("received_at", json!("2026-12-24")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "received_in_future",
        ),
        (
            with("received_at", json!("24.12.2026")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_date",
        ),
        (
            with("citizen", json!(Uuid::new_v4())),
            StatusCode::NOT_FOUND,
            "subject_not_found",
        ),
        // A citizen the caseworker has no way into yet (not looked up, no order).
        (
            with("citizen", json!(w.demo.citizens[5].id)),
            StatusCode::NOT_FOUND,
            "subject_not_found",
        ),
        (
            with("access", json!({"wish": "everything", "scope": "case"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_access_wish",
        ),
        (
            json!({"citizen": citizen, "kind": "rectification", "received_at": "2026-11-20",
                   "channel": "letter", "description": "Ret mit telefonnummer.", "items": foreign}),
            StatusCode::NOT_FOUND,
            "item_not_of_citizen",
        ),
        (
            json!({"citizen": citizen, "kind": "restriction", "received_at": "2026-11-20",
                   "channel": "letter", "description": "Begræns, tak."}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "items_required",
        ),
    ];
    let log = w.log_count().await;
    for (body, status, code) in cases {
        let reply = api.post_json("/api/v1/rights-cases", &body).await;
        assert_eq!(
            (reply.status, reply.error_code().as_deref()),
            (status, Some(code)),
            "{body} → {}",
            reply.body
        );
    }
    assert!(
        w.app.rights_cases(&cw).await.expect("list").is_empty(),
        "nothing written"
    );
    // The refused reads of other citizens' items are logged as refusals, nothing more.
    assert!(w.log_count().await >= log);

    // A whole case under the Public Administration Act is flagged as such.
    let created = api.post_json("/api/v1/rights-cases", &base).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let case = api.get(&format!("/api/v1/rights-cases/{id}")).await.json();
    assert_eq!(case["regime"], "gdpr_public_administration_public_records");
    api.post_json(
        &format!("/api/v1/rights-cases/{id}/identity"),
        &json!({"method": "MitID"}),
    )
    .await;
    // A decision needs reasons, and an outcome that fits.
    api.post_json(
        &format!("/api/v1/rights-cases/{id}/decision"),
        &json!({"outcome": "granted", "reasons": ""}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "reason_required");
    api.post_json(
        &format!("/api/v1/rights-cases/{id}/decision"),
        &json!({"outcome": "maybe", "reasons": "Fordi det er sådan, efter undersøgelse."}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_outcome");
    api.post_json(
        &format!("/api/v1/rights-cases/{id}/extension"),
        &json!({"months": 1, "reason": ""}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "reason_required");
    let case = api.get(&format!("/api/v1/rights-cases/{id}")).await.json();
    assert_eq!(case["status"], "received");
    assert_eq!(case["extended"], false);
    assert!(case["reasons"].is_null());
    assert!(w.letters.sent().is_empty());
    api.get(&format!("/api/v1/rights-cases/{id}/answer?format=docx"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "answer_format");
    api.get(&format!(
        "/api/v1/rights-cases/{id}/answer?format=pdf&format=pdf"
    ))
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "answer_format");
    w.done().await;
}

async fn cases_are_the_units_and_notices_the_suppliers(backend: Backend) {
    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[1].id;
    let (id, _) = w
        .app
        .open_rights_case(&cw, &case_input(citizen, "objection", "2026-11-20"))
        .await
        .expect("case");
    // Another unit's caseworker: not found, not listed.
    let south = w.api("sagsbehandler2").await;
    south
        .get(&format!("/api/v1/rights-cases/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "rights_case_not_found");
    assert_eq!(south.get("/api/v1/rights-cases").await.json(), json!([]));
    // The privacy officer sees every case and exports them; the auditor sees the list
    // and the export, not the case.
    let dpo = w.api("dpo").await;
    assert_eq!(
        dpo.get(&format!("/api/v1/rights-cases/{id}")).await.status,
        StatusCode::OK
    );
    let export = dpo.get("/api/v1/rights-cases/export").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.body.starts_with("reference,kind,unit,"));
    assert!(export.body.contains("objection"));
    let c = &w.demo.citizens[1];
    assert!(!export.body.contains(&c.name) && !export.body.contains(&c.cpr.formatted()));
    let auditor = w.api("revisor").await;
    assert_eq!(
        auditor
            .get("/api/v1/rights-cases")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    auditor
        .get(&format!("/api/v1/rights-cases/{id}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "role_not_allowed");
    // Suppliers neither list nor register cases.
    let supplier = w.api("mentorhuset").await;
    supplier
        .get("/api/v1/rights-cases")
        .await
        .assert_error(StatusCode::FORBIDDEN, "role_not_allowed");
    w.done().await;
}

/// The answer's automated decisions (art. 15(1)(h)) are what the purposes of the citizen's
/// data declare: none for the demo's purposes; the logic for a purpose that has them.
async fn automated_decisions_in_the_answer_are_the_purposes(backend: Backend) {
    let w = World::new(backend, 8).await;
    let admin = w.api("admin").await;
    let logic = "Hjælpens størrelse beregnes automatisk ud fra indkomst og husstand.";
    let created = admin
        .post_json(
            "/api/v1/purposes",
            &json!({"name": "Udbetaling af hjælp", "description": "Beregning og udbetaling.",
                    "art6": "6.1.c", "national_law": "Aktivloven § 11", "retention": "5 år",
                    "automated_decision": logic}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.json()["automated_decision"], logic);

    let citizen = w.demo.citizens[6].clone();
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &citizen).await;
    let api = w.api("sagsbehandler").await;
    let recorded = api
        .post_json(
            &format!("/api/v1/citizens/{}/data", citizen.id),
            &json!({"field": "benefit", "value": "Kontanthjælp",
                    "source": "Udbetaling Danmark", "purpose": "Udbetaling af hjælp"}),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let id = api
        .post_json(
            "/api/v1/rights-cases",
            &json!({"citizen": citizen.id, "kind": "access", "received_at": "2026-11-20",
                    "channel": "letter", "description": "Hvad ved I om mig?",
                    "access": {"wish": "my_data_in_a_case", "scope": "administration"}}),
        )
        .await;
    assert_eq!(id.status, StatusCode::OK, "{}", id.body);
    let id = id.json()["id"].as_str().expect("id").to_owned();
    api.post_json(
        &format!("/api/v1/rights-cases/{id}/identity"),
        &json!({"method": "MitID"}),
    )
    .await;
    let decided = api
        .post_json(
            &format!("/api/v1/rights-cases/{id}/decision"),
            &json!({"outcome": "granted", "reasons": "Borgeren har ret til indsigt."}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let answer = api
        .get(&format!("/api/v1/rights-cases/{id}/answer"))
        .await
        .json();
    let purposes = answer["purposes"].as_array().expect("purposes");
    let declared: Vec<&Value> = purposes
        .iter()
        .filter(|p| p["automated_decision"] != "")
        .collect();
    assert_eq!(declared.len(), 1, "{purposes:?}");
    assert_eq!(declared[0]["name"], "Udbetaling af hjælp");
    assert_eq!(declared[0]["automated_decision"], logic);
    assert!(purposes.len() > 1, "the demo's purposes declare none");
    w.done().await;
}

/// Portability (art. 20) covers data processed on consent or a contract only: with none
/// (the demo's purposes are all official authority), a grant is refused with nothing
/// written, and the refusal with its reasons goes through; with an item on consent, the
/// grant goes through.
async fn portability_reaches_only_data_on_consent_or_contract(backend: Backend) {
    let w = World::new(backend, 8).await;
    let citizen = w.demo.citizens[6].clone();
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &citizen).await;
    let api = w.api("sagsbehandler").await;
    let open_case = || async {
        let created = api
            .post_json(
                "/api/v1/rights-cases",
                &json!({"citizen": citizen.id, "kind": "portability", "received_at": "2026-11-20",
                        "channel": "email", "description": "Jeg vil have mine oplysninger med."}),
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let id = created.json()["id"].as_str().expect("id").to_owned();
        let checked = api
            .post_json(
                &format!("/api/v1/rights-cases/{id}/identity"),
                &json!({"method": "MitID"}),
            )
            .await;
        assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
        id
    };
    let grant = json!({"outcome": "granted", "reasons": "Borgeren har ret til at få oplysningerne udleveret."});

    let id = open_case().await;
    api.post_json(&format!("/api/v1/rights-cases/{id}/decision"), &grant)
        .await
        .assert_error(StatusCode::CONFLICT, "not_portable");
    let case = api.get(&format!("/api/v1/rights-cases/{id}")).await.json();
    assert_eq!(case["status"], "received", "nothing written: {case}");
    assert!(case["reasons"].is_null());
    let refused = api
        .post_json(
            &format!("/api/v1/rights-cases/{id}/decision"),
            &json!({"outcome": "refused", "reasons": "Oplysningerne behandles som myndighedsudøvelse; du kan i stedet få indsigt."}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);

    // An item given on consent makes the request one that can be granted.
    let admin = w.api("admin").await;
    let purpose = admin
        .post_json(
            "/api/v1/purposes",
            &json!({"name": "Nyhedsbrev om jobtilbud", "art6": "6.1.a", "retention": "Til samtykket trækkes tilbage"}),
        )
        .await;
    assert_eq!(purpose.status, StatusCode::OK, "{}", purpose.body);
    let recorded = api
        .post_json(
            &format!("/api/v1/citizens/{}/data", citizen.id),
            &json!({"field": "email", "value": "borger@example.dk", "source": "Borgeren",
                    "purpose": "Nyhedsbrev om jobtilbud"}),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let id = open_case().await;
    let granted = api
        .post_json(&format!("/api/v1/rights-cases/{id}/decision"), &grant)
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    w.done().await;
}

//! The privacy officer's desk: breaches and their clocks, the persons a breach reached
//! (matching the access log), retention that runs once and leaves receipts for the
//! connected systems, and the records of processing in three formats.

use std::collections::BTreeSet;

use skjold_app::records::RecordsFormat;
use skjold_app::retention::Connector;
use skjold_core::Problem;
use skjold_core::breaches::{AffectedQuery, BreachReport, ClockKind, DetectedBy, Nature, Party};
use skjold_core::records::DraftInput;
use skjold_core::{Category, Timestamp};
use skjold_store::Backend;

use crate::common::World;

crate::on_both_backends!(
    a_breach_runs_its_clocks_to_the_minute,
    a_breach_finds_the_persons_the_log_names,
    retention_runs_once_and_its_receipts_reach_the_connectors,
    messages_go_a_period_after_the_dpa_ended,
    items_in_use_on_an_open_order_are_kept,
    records_of_processing_export_in_three_formats,
);

const HOUR: i64 = 3600;

fn report(aware_at: Timestamp, processor_aware_at: Option<Timestamp>) -> BreachReport {
    BreachReport {
        detected_by: DetectedBy::Processor,
        processor_id: None,
        processor_aware_at,
        aware_at,
        occurred_at: None,
        nature: vec![Nature::Confidentiality],
        description: "En mentors bærbare computer er stjålet fra en bil.".into(),
        data_categories: vec![Category::Identity, Category::Health],
        subject_categories: "Borgere i mentorforløb".into(),
        approx_persons: 12,
        approx_records: 60,
        contact_point: "Signe Winther, databeskyttelsesrådgiver".into(),
        consequences: "Risiko for uvedkommendes indsigt i helbredsoplysninger.".into(),
        measures: "Computeren er fjernspærret; adgangskoder skiftet.".into(),
        high_risk: true,
        no_risk: false,
    }
}

fn problem(e: skjold_app::AppError) -> Problem {
    e.problem()
        .cloned()
        .unwrap_or_else(|| panic!("a refusal: {e:?}"))
}

async fn a_breach_runs_its_clocks_to_the_minute(backend: Backend) {
    let w = World::new(backend, 12).await;
    let dpo = w.actor("dpo").await;
    let supplier = w.actor("mentorhuset").await;
    let now = w.app.now();
    // The processor became aware 30 hours ago and reports now: 6 hours late.
    let id = w
        .app
        .report_breach(
            &supplier,
            Some(w.demo.municipality_id),
            &report(now, Some(now.plus_seconds(-30 * HOUR))),
        )
        .await
        .expect("the supplier reports");
    let b = w
        .app
        .breach(&dpo, id)
        .await
        .expect("the privacy officer reads");
    assert_eq!(b.report.processor_id, Some(w.org("Mentorhuset ApS")));
    assert!(b.reference.starts_with("BR-2026-"));
    let processor = &b.clocks[0];
    assert_eq!(processor.kind, ClockKind::ProcessorReport);
    assert_eq!(processor.done_at, Some(now));
    assert!(processor.late && !processor.overdue);
    // Datatilsynet: 72 hours from the controller's awareness, to the minute.
    let due = now.plus_seconds(72 * HOUR);
    w.clock.set(due);
    let b = w.app.breach(&dpo, id).await.expect("read");
    let authority = b
        .clocks
        .iter()
        .find(|c| c.kind == ClockKind::Authority)
        .expect("clock");
    assert_eq!(authority.due, due);
    assert!(!authority.overdue, "on the deadline it is not yet overdue");
    w.clock.set(due.plus_seconds(60));
    let b = w.app.breach(&dpo, id).await.expect("read");
    assert!(b.overdue(), "a minute after, it is overdue");
    // Met late without a reason: refused, and nothing is written.
    let late = w
        .app
        .record_breach_clock(&dpo, id, ClockKind::Authority, Some(w.app.now()), None)
        .await
        .expect_err("a late notification needs its reason");
    assert_eq!(late.code(), "required");
    let still = w.app.breach(&dpo, id).await.expect("read");
    assert_eq!(still.notifications.authority_notified_at, None);
    w.app
        .record_breach_clock(
            &dpo,
            id,
            ClockKind::Authority,
            Some(w.app.now()),
            Some("Omfanget var først klarlagt efter leverandørens undersøgelse."),
        )
        .await
        .expect("met with a reason");
    let b = w.app.breach(&dpo, id).await.expect("read");
    let authority = b
        .clocks
        .iter()
        .find(|c| c.kind == ClockKind::Authority)
        .expect("clock");
    assert!(authority.late && !authority.overdue);
    assert!(
        authority
            .late_reason
            .as_deref()
            .is_some_and(|r| r.contains("klarlagt"))
    );
    // The persons still wait: the breach is still overdue on that clock.
    assert!(b.overdue());
    // Who sees it: the supplier sees its own report, another supplier nothing, a
    // caseworker is refused by role.
    assert!(w.app.breach(&supplier, id).await.is_ok());
    let other = w.actor("praktikpartner").await;
    assert_eq!(
        problem(w.app.breach(&other, id).await.expect_err("hidden")),
        Problem::BreachNotFound
    );
    let cw = w.actor("sagsbehandler").await;
    assert!(matches!(
        problem(w.app.breach(&cw, id).await.expect_err("refused")),
        Problem::RoleNotAllowed(_)
    ));
    // The report in the authority's form opens as a PDF.
    let (name, pdf) = w.app.breach_report_pdf(&dpo, id).await.expect("pdf");
    assert!(name.ends_with(".pdf") && pdf.starts_with(b"%PDF"));
    w.done().await;
}

async fn a_breach_finds_the_persons_the_log_names(backend: Backend) {
    let w = World::new(backend, 12).await;
    let dpo = w.actor("dpo").await;
    let supplier = w.actor("mentorhuset").await;
    let orders = w
        .app
        .orders(&supplier, &Default::default())
        .await
        .expect("orders");
    let open: Vec<_> = orders
        .entries
        .iter()
        .map(|r| &r.order)
        .filter(|o| o.closing.is_none())
        .collect();
    assert!(open.len() >= 2);
    // The supplier's user reads one order in a window of its own.
    let start = w.app.now().plus_seconds(HOUR);
    w.clock.set(start.plus_seconds(60));
    w.app
        .supplier_order(&supplier, open[0].id)
        .await
        .expect("read");
    let window = |party| AffectedQuery {
        party,
        from: start,
        until: start.plus_seconds(HOUR),
    };
    let one = w
        .app
        .affected_persons(&dpo, &window(Party::User(supplier.user_id)))
        .await
        .expect("affected");
    assert_eq!(
        one.persons, 1,
        "the one citizen the user read in the window"
    );
    assert!(one.log_entries >= 1);
    assert!(
        one.per_category
            .iter()
            .any(|(c, n)| *c == Category::Identity && *n == 1)
    );
    // The whole supplier since the beginning: every citizen it received data about.
    let all = AffectedQuery {
        party: Party::Organisation(w.org("Mentorhuset ApS")),
        from: Timestamp(0),
        until: start.plus_seconds(2 * HOUR),
    };
    let summary = w.app.affected_persons(&dpo, &all).await.expect("affected");
    let expected: BTreeSet<_> = orders
        .entries
        .iter()
        .map(|o| o.order.reference.clone())
        .collect();
    assert!(summary.persons >= 2 && summary.persons <= u64::try_from(expected.len()).unwrap_or(0));
    assert!(summary.ledger_rows > 0);
    // Attaching writes one access-log entry per citizen, in one go.
    let id = w
        .app
        .report_breach(
            &dpo,
            None,
            &BreachReport {
                detected_by: DetectedBy::Controller,
                processor_id: Some(w.org("Mentorhuset ApS")),
                ..report(w.app.now(), Some(w.app.now()))
            },
        )
        .await
        .expect("recorded");
    let before = w.log_count().await;
    let attached = w
        .app
        .attach_affected(&dpo, id, &all)
        .await
        .expect("attached");
    assert_eq!(attached.persons, summary.persons);
    // (The count before was itself a read of the log, one entry.)
    assert_eq!(
        u64::try_from(w.log_count().await - before - 1).unwrap_or(0),
        summary.persons,
        "one log entry per citizen attached"
    );
    let b = w.app.breach(&dpo, id).await.expect("read");
    assert_eq!(b.affected.map(|a| a.persons), Some(summary.persons));
    // A party outside the municipality, or a window backwards, is refused.
    let backwards = AffectedQuery {
        until: all.from,
        from: all.until,
        ..all
    };
    assert_eq!(
        problem(
            w.app
                .affected_persons(&dpo, &backwards)
                .await
                .expect_err("refused")
        ),
        Problem::PeriodBackwards
    );
    w.done().await;
}

async fn retention_runs_once_and_its_receipts_reach_the_connectors(backend: Backend) {
    let w = World::new(backend, 12).await;
    let file = std::env::temp_dir().join(format!("skjold-arkiv-{}.jsonl", uuid::Uuid::new_v4()));
    let app = w.app.clone().with_connectors(vec![
        Connector::File {
            name: "arkiv".into(),
            path: file.clone(),
        },
        Connector::Webhook {
            name: "sagssystem".into(),
            // Nothing listens here: the delivery fails and is retried.
            url: "http://127.0.0.1:9/skjold".into(),
            secret: "hemmelig".into(),
        },
    ]);
    let cw = w.actor("sagsbehandler").await;
    let historic: Vec<_> = w.demo.historic.iter().map(|c| c.id).collect();
    // A dry run says what is due and changes nothing.
    let dry = app.run_retention(None, true).await.expect("dry run");
    assert_eq!(
        dry.receipts.len(),
        2,
        "the two citizens whose order ended two years ago"
    );
    assert!(historic.contains(&dry.receipts[0].object_id));
    assert_eq!(
        app.run_retention(None, true)
            .await
            .expect("again")
            .receipts
            .len(),
        2
    );
    // The run deletes, writes receipts, delivers to the file, and the webhook waits.
    let run = app.run_retention(None, false).await.expect("run");
    assert_eq!(run.receipts.len(), 2);
    assert!(run.receipts.iter().all(|r| r.rows > 0));
    assert_eq!((run.delivered, run.pending), (2, 2));
    let lines = std::fs::read_to_string(&file).expect("file");
    assert_eq!(lines.lines().count(), 2);
    assert!(!lines.contains("cpr") && lines.contains(&run.receipts[0].id.to_string()));
    for id in &historic {
        let e = w.app.citizen(&cw, *id).await.expect_err("erased");
        assert!(
            matches!(
                problem(e),
                Problem::CitizenErased | Problem::SubjectNotFound
            ),
            "the citizen's data is gone"
        );
    }
    // A second run deletes nothing; the failed delivery is not due yet, then is retried.
    let again = app.run_retention(None, false).await.expect("second run");
    assert!(again.receipts.is_empty());
    assert_eq!(again.pending, 2);
    w.clock.advance_seconds(120);
    let dpo = w.actor("dpo").await;
    let retried = app.run_retention(None, false).await.expect("third run");
    assert_eq!((retried.delivered, retried.pending), (0, 2));
    let pending = app.pending_deliveries(&dpo).await.expect("pending");
    assert!(
        pending
            .iter()
            .all(|(d, _)| d.connector == "sagssystem" && d.attempts == 2)
    );
    let (receipts, total) = app.deletion_receipts(&dpo, 10, 0).await.expect("receipts");
    assert_eq!((receipts.len(), total), (2, 2));
    let _ = std::fs::remove_file(&file);
    w.done().await;
}

async fn messages_go_a_period_after_the_dpa_ended(backend: Backend) {
    use skjold_core::retention::{RecordType, RetentionAction, RuleInput, Trigger};
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let citizen = w.demo.citizens[5].clone();
    // An order with the supplier whose DPA ended 45 days ago, placed while it was in force.
    let now = w.app.now();
    w.clock.set(now.plus_seconds(-100 * 86_400));
    w.search(&cw, &citizen).await;
    let order = w
        .order(&cw, citizen.id, "OPKVAL", "Kompetencecentret Øst ApS")
        .await;
    let body = "Borgeren møder mandag kl. 9 til opkvalificering.";
    w.app
        .send_message(&cw, order, body, None)
        .await
        .expect("sent");
    w.clock.set(now);
    let rule = |months| RuleInput {
        record_type: RecordType::OrderMessages,
        purpose_id: None,
        trigger: Trigger::DpaEnded,
        period_months: months,
        action: RetentionAction::Delete,
        legal_reference: "Databehandleraftalen: beskeder slettes ved ophør".into(),
        legal_hold: false,
    };
    // Two months after the end: not yet; at once: due.
    w.app
        .set_retention_rule(&dpo, &rule(2))
        .await
        .expect("rule");
    let dry = w.app.run_retention(Some(&dpo), true).await.expect("dry");
    assert!(dry.receipts.iter().all(|r| r.object_id != order));
    w.app
        .set_retention_rule(&dpo, &rule(0))
        .await
        .expect("rule replaced");
    assert_eq!(
        w.app
            .retention_rules(&dpo)
            .await
            .expect("rules")
            .iter()
            .filter(|r| r.rule.trigger == Trigger::DpaEnded)
            .count(),
        1,
        "the new rule replaces the old"
    );
    let run = w.app.run_retention(Some(&dpo), false).await.expect("run");
    let receipt = run
        .receipts
        .iter()
        .find(|r| r.object_id == order)
        .expect("the order's messages");
    assert_eq!(
        (receipt.rows, receipt.record_type),
        (1, RecordType::OrderMessages)
    );
    w.search(&cw, &citizen).await;
    let thread = w.app.thread(&cw, order).await.expect("thread");
    assert_eq!(thread.messages.len(), 1, "the thread's shape stays");
    assert!(thread.messages[0].body.is_empty(), "the body is gone");
    let again = w.app.run_retention(Some(&dpo), false).await.expect("again");
    assert!(again.receipts.iter().all(|r| r.object_id != order));
    // Someone who may not run the rules is refused.
    assert!(matches!(
        problem(
            w.app
                .run_retention(Some(&cw), true)
                .await
                .expect_err("role")
        ),
        Problem::RoleNotAllowed(_)
    ));
    w.done().await;
}

async fn items_in_use_on_an_open_order_are_kept(backend: Backend) {
    use skjold_core::retention::{RecordType, RetentionAction, RuleInput, Trigger};
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let rule = w
        .app
        .set_retention_rule(
            &dpo,
            &RuleInput {
                record_type: RecordType::CitizenData,
                purpose_id: None,
                trigger: Trigger::Received,
                period_months: 0,
                action: RetentionAction::Delete,
                legal_reference: "Prøveregel: slettes dagen efter modtagelsen".into(),
                legal_hold: false,
            },
        )
        .await
        .expect("rule");
    // The same day: nothing is due.
    assert!(
        w.app
            .run_retention(Some(&dpo), true)
            .await
            .expect("dry")
            .receipts
            .iter()
            .all(|r| r.rule_id != rule),
        "the same day nothing is due under the rule"
    );
    w.clock.advance_seconds(2 * 86_400);
    let run = w.app.run_retention(Some(&dpo), false).await.expect("run");
    // The citizen with an open mentor order keeps what the supplier received; a citizen
    // without orders is erased by key.
    let with_order = &w.demo.citizens[0];
    let without = &w.demo.citizens[5];
    assert!(
        run.receipts
            .iter()
            .any(|r| r.object_id == without.id && r.rule_id == rule)
    );
    w.search(&cw, with_order).await;
    let kept = w.app.citizen(&cw, with_order.id).await.expect("citizen");
    assert!(
        !kept.data.is_empty(),
        "the items in use on the open order stay"
    );
    let gone = w.app.find_citizen(&cw, &without.cpr.formatted()).await;
    assert!(gone.is_err(), "no CPR search finds an erased citizen");
    w.done().await;
}

async fn records_of_processing_export_in_three_formats(backend: Backend) {
    let w = World::new(backend, 12).await;
    let dpo = w.actor("dpo").await;
    let records = w.app.records_of_processing(&dpo).await.expect("records");
    assert_eq!(records.units.len(), 2);
    let nord = records
        .units
        .iter()
        .find(|u| u.unit == "Jobcenter København Nord")
        .expect("unit");
    assert!(nord.activities.iter().any(|a| {
        a.recipients
            .iter()
            .any(|r| r.name == "Mentorhuset ApS" && r.disclosures > 0)
    }));
    assert!(
        records
            .processors
            .iter()
            .any(|p| p.name == "Mentorhuset ApS")
    );
    assert!(
        records
            .security_measures
            .iter()
            .any(|m| m.contains("AES-256-GCM"))
    );
    assert!(nord.activities.iter().all(|a| !a.retention.is_empty()));
    // A unit reports a new processing; the privacy officer approves it into the record.
    let cw = w.actor("sagsbehandler").await;
    let draft = DraftInput {
        name: "Virksomhedspraktik med løntilskud".into(),
        purpose: "Opfølgning på borgerens praktikforløb".into(),
        subject_categories: "Ledige i praktik".into(),
        data_categories: vec![Category::Identity, Category::Employment],
        recipients: "Praktikvirksomheder".into(),
        retention: "5 år".into(),
        question: "Skal virksomhederne have en databehandleraftale?".into(),
    };
    let id = w
        .app
        .report_processing(&cw, &draft)
        .await
        .expect("reported");
    assert!(matches!(
        problem(w.app.records_of_processing(&cw).await.expect_err("refused")),
        Problem::RoleNotAllowed(_)
    ));
    w.app
        .decide_processing_draft(&dpo, id, true, "")
        .await
        .expect("approved");
    assert_eq!(
        problem(
            w.app
                .decide_processing_draft(&dpo, id, false, "igen")
                .await
                .expect_err("decided")
        ),
        Problem::RecordsDraftDecided
    );
    let records = w.app.records_of_processing(&dpo).await.expect("records");
    let nord = records
        .units
        .iter()
        .find(|u| u.unit == "Jobcenter København Nord")
        .expect("unit");
    assert!(
        nord.activities
            .iter()
            .any(|a| a.source == "reported" && a.name == draft.name)
    );
    // Reviewed and kept; every version stays.
    let v1 = w
        .app
        .review_records(&dpo, "Årlig gennemgang")
        .await
        .expect("v1");
    let v2 = w.app.review_records(&dpo, "").await.expect("v2");
    assert_eq!((v1.version, v2.version), (1, 2));
    let auditor = w.actor("revisor").await;
    assert_eq!(
        w.app
            .records_versions(&auditor)
            .await
            .expect("versions")
            .len(),
        2
    );
    let (name, json) = w
        .app
        .export_records(&auditor, RecordsFormat::Json, Some(1))
        .await
        .expect("json");
    assert!(name.starts_with("fortegnelse-v1"));
    let value: serde_json::Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(value["reviewed"]["version"], 1);
    assert_eq!(value["reviewed"]["note"], "Årlig gennemgang");
    let (_, csv) = w
        .app
        .export_records(&dpo, RecordsFormat::Csv, None)
        .await
        .expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.starts_with("art30,"));
    assert!(csv.contains("30(2),Mentorhuset ApS"));
    let (_, pdf) = w
        .app
        .export_records(&dpo, RecordsFormat::Pdf, None)
        .await
        .expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    w.done().await;
}

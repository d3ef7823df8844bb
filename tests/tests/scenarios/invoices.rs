//! The procurement-data collaboration, end to end: a municipality takes part, its buyer
//! sends two years of invoices (some naming a citizen in a note), a second upload changes
//! nothing, the reviewer works the queue, the report's figures match totals computed here
//! from the XML, no injected value is at rest or in the export, the designated contact
//! (and only they) gets the raw documents back, and retention deletes the raw copies.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use skjold_app::demo::{DEMO_MUNICIPALITY, DEMO_SERVICE, demo_invoices};
use skjold_app::invoices::{Joining, Upload};
use skjold_app::oversight::OversightQuery;
use skjold_core::invoices::review::{Decision, Status};
use skjold_core::{Date, Problem};
use skjold_store::Backend;

use crate::at_rest::{at_rest, encodings, find};
use crate::common::World;

crate::on_both_backends!(
    invoices_go_in_anonymised_once_reviewed_and_add_up,
    own_data_goes_back_to_the_contact_and_raw_copies_expire,
    the_collaboration_over_http_for_every_role,
);

const INJECTED: [&str; 4] = [
    "Gudrun Pilgaard",
    "111163-1230",
    "gudrun.pilgaard@example.dk",
    "31 41 59 26",
];

/// The first `n` of `docs` with a note naming a citizen, after the `IssueDate`.
fn with_citizen_notes(docs: &mut [Upload], n: usize) {
    for u in docs.iter_mut().take(n) {
        let xml = String::from_utf8(u.bytes.clone()).expect("UTF-8");
        let at = xml.find("</cbc:IssueDate>").expect("an IssueDate") + "</cbc:IssueDate>".len();
        let note = format!(
            "<cbc:Note>Vedr. borger {}, CPR-nr. {}, mail {}, tlf. {}</cbc:Note>",
            INJECTED[0], INJECTED[1], INJECTED[2], INJECTED[3]
        );
        u.bytes = format!("{}{note}{}", &xml[..at], &xml[at..]).into_bytes();
    }
}

/// The text of the first `<tag>` inside `within` of `xml`.
fn text_in<'a>(xml: &'a str, within: &str, tag: &str) -> &'a str {
    let scope = &xml[xml.find(within).unwrap_or(0)..];
    let open = scope.find(&format!("<{tag}")).expect("the tag");
    let start = open + scope[open..].find('>').expect("its end") + 1;
    let end = start + scope[start..].find('<').expect("its close");
    &scope[start..end]
}

/// Øre of a decimal amount as written.
fn øre(s: &str) -> i64 {
    let (kr, frac) = s.split_once('.').unwrap_or((s, "0"));
    let sign = if kr.starts_with('-') { -1 } else { 1 };
    let kr: i64 = kr.trim_start_matches('-').parse().expect("kroner");
    let frac: i64 = format!("{frac:0<2}")[..2].parse().expect("øre");
    sign * (kr * 100 + frac)
}

/// Totals per month computed from the documents themselves: the declared line total,
/// negative for credit notes.
fn totals_by_month(docs: &[Upload]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for u in docs {
        let xml = std::str::from_utf8(&u.bytes).expect("UTF-8");
        let sign = if xml.contains("<CreditNote") { -1 } else { 1 };
        let amount = øre(text_in(
            xml,
            "<cac:LegalMonetaryTotal>",
            "cbc:LineExtensionAmount",
        ));
        let month = text_in(xml, "", "cbc:IssueDate")[..7].to_owned();
        *out.entry(month).or_default() += sign * amount;
    }
    out
}

async fn take_part(w: &World) {
    let admin = w.actor("admin").await;
    let buyer = w.actor("indkoeber").await;
    w.app
        .join_invoices(
            &admin,
            &Joining {
                service_id: w.org(DEMO_SERVICE),
                contact_user_id: buyer.user_id,
                citizens: Some(10_000),
                currency: "DKK".into(),
            },
        )
        .await
        .expect("joins");
}

fn today(w: &World) -> Date {
    w.app.now().local_date()
}

async fn invoices_go_in_anonymised_once_reviewed_and_add_up(backend: Backend) {
    let w = World::new(backend, 2).await;
    let buyer = w.actor("indkoeber").await;
    let reviewer = w.actor("kontrollant").await;
    let mut docs = demo_invoices(DEMO_MUNICIPALITY, 3, today(&w), 7, 0);
    // Not taking part yet: refused, nothing kept.
    let refused = w.app.send_invoices(&buyer, docs[..2].to_vec()).await;
    assert_eq!(
        refused.expect_err("no participation").problem(),
        Some(&Problem::NotParticipating)
    );
    take_part(&w).await;

    with_citizen_notes(&mut docs, 4);
    let sent = w
        .app
        .send_invoices(&buyer, docs.clone())
        .await
        .expect("sent");
    assert_eq!(sent.new_documents(), docs.len());
    assert_eq!(
        sent.to_review(),
        4,
        "the four with a citizen in a note wait"
    );

    // Again: nothing changes.
    let again = w
        .app
        .send_invoices(&buyer, docs.clone())
        .await
        .expect("sent again");
    assert_eq!(again.new_documents(), 0);
    assert!(
        again
            .documents
            .iter()
            .zip(&sent.documents)
            .all(|(a, b)| a.1.id == b.1.id)
    );

    // One unreadable file refuses the upload, and nothing of it is kept.
    let fresh = demo_invoices(DEMO_MUNICIPALITY, 1, today(&w), 99, 0);
    let mut bad = vec![fresh[0].clone()];
    bad[0].name = "ny.xml".into();
    bad[0].bytes = String::from_utf8(bad[0].bytes.clone())
        .expect("UTF-8")
        .replace("<cbc:ID>", "<cbc:ID>NY-")
        .into_bytes();
    bad.push(Upload {
        name: "ordre.xml".into(),
        bytes: b"<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>".to_vec(),
    });
    let err = w
        .app
        .send_invoices(&buyer, bad.clone())
        .await
        .expect_err("an order is no invoice");
    assert!(
        matches!(err.problem(), Some(Problem::InvoiceUnreadable { file, .. }) if file == "ordre.xml")
    );
    let report = w.app.spend_report(&buyer).await.expect("report");
    let analysed: Vec<Upload> = docs[4..].to_vec();
    assert_eq!(
        report.invoices,
        analysed.len() as u64,
        "the refused upload left nothing"
    );

    // The report against totals computed here from the documents.
    let expected = totals_by_month(&analysed);
    let by_month: BTreeMap<String, i64> = report
        .by_month
        .iter()
        .map(|s| (s.key.clone(), s.amount))
        .collect();
    assert_eq!(by_month, expected);
    assert_eq!(report.amount, expected.values().sum::<i64>());
    assert_eq!(
        report.by_category.iter().map(|s| s.amount).sum::<i64>(),
        report.amount
    );
    assert_eq!(
        report.by_supplier.iter().map(|s| s.amount).sum::<i64>()
            + report.other_suppliers.as_ref().map_or(0, |o| o.amount),
        report.amount
    );
    // Alone in the collaboration: no average is released.
    assert!(report.comparison.iter().all(|c| c.average.is_err()));

    // The queue: the four, oldest first; the reviewer sees only the anonymised text.
    let (queue, state) = w.app.invoice_queue(&reviewer, 50, 0).await.expect("queue");
    assert_eq!(state.waiting, 4);
    assert_eq!(queue.len(), 4);
    let doc = w
        .app
        .invoice_for_review(&reviewer, queue[0].id)
        .await
        .expect("document");
    for v in INJECTED {
        assert!(!doc.anonymised.contains(v), "{v} reached the reviewer");
    }
    assert!(doc.anonymised.contains("[NAVN-1]"), "{}", doc.anonymised);
    // Approve one, hiding a word of its note too; reject one with a reason.
    let approve = Decision::Approve {
        redact: vec!["Vedr. borger".into()],
    };
    let status = w
        .app
        .decide_invoice(&reviewer, queue[0].id, &approve, "Koder kontrolleret")
        .await;
    assert_eq!(status.expect("approved"), Status::Analysed);
    let again = w
        .app
        .decide_invoice(&reviewer, queue[0].id, &approve, "")
        .await;
    assert_eq!(
        again.expect_err("decided").problem(),
        Some(&Problem::InvoiceDecided)
    );
    let reject = Decision::new(false, "", "Dublet af en anden faktura").expect("a rejection");
    w.app
        .decide_invoice(
            &reviewer,
            queue[1].id,
            &reject,
            "Dublet af en anden faktura",
        )
        .await
        .expect("rejected");
    let decided = w
        .app
        .invoice_for_review(&reviewer, queue[0].id)
        .await
        .expect("decided");
    assert!(decided.anonymised.contains("[SKJULT]"));
    assert_eq!(decided.decisions.len(), 1);
    assert_eq!(decided.decisions[0].by, reviewer.display_name);
    assert_eq!(decided.decisions[0].note, "Koder kontrolleret");
    let (_, state) = w.app.invoice_queue(&reviewer, 50, 0).await.expect("queue");
    assert_eq!(state.waiting, 2);
    let report = w.app.spend_report(&buyer).await.expect("report");
    assert_eq!(
        report.invoices,
        analysed.len() as u64 + 1,
        "the approved one entered"
    );

    // Not the buyer's to review, nor the reviewer's to read the municipality's report.
    let denied = w.app.invoice_queue(&buyer, 50, 0).await;
    assert!(matches!(
        denied.expect_err("buyer").problem(),
        Some(Problem::RoleNotAllowed(_))
    ));
    let denied = w.app.spend_report(&reviewer).await;
    assert!(matches!(
        denied.expect_err("reviewer").problem(),
        Some(Problem::RoleNotAllowed(_))
    ));

    // The export holds the analysed documents' lines, and no injected value.
    let mut export = Vec::new();
    let n = w
        .app
        .export_invoice_lines(None, &mut export)
        .await
        .expect("export");
    assert_eq!(n, report.lines);
    let text = String::from_utf8(export).expect("UTF-8");
    assert_eq!(text.lines().count() as u64, n);
    // Business values unchanged: every supplier and every line amount is there.
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert!(first["supplier"].as_str().is_some_and(|s| !s.is_empty()));
    // Every anonymised copy kept (deflated at rest) is free of the injected values.
    for (_, stored) in &sent.documents {
        let kept = w
            .app
            .invoice_for_review(&reviewer, stored.id)
            .await
            .expect("kept");
        for v in INJECTED {
            assert!(
                !kept.anonymised.contains(v),
                "{v} in {}",
                kept.queued.document_id
            );
        }
    }
    // Nothing injected at rest (the raw copies are sealed) or in the export.
    let disk = at_rest(&w);
    for v in INJECTED {
        for e in encodings(v) {
            assert!(!find(&disk, &e), "{v} at rest");
            assert!(!find(text.as_bytes(), &e), "{v} in the export");
        }
    }
    // The control: a supplier's name is stored in clear on purpose.
    assert!(find(&disk, "Kontorland A/S".as_bytes()));
    w.done().await;
}

async fn own_data_goes_back_to_the_contact_and_raw_copies_expire(backend: Backend) {
    let w = World::new(backend, 2).await;
    take_part(&w).await;
    let buyer = w.actor("indkoeber").await;
    let admin = w.actor("admin").await;
    let mut docs = demo_invoices(DEMO_MUNICIPALITY, 1, today(&w), 3, 0);
    with_citizen_notes(&mut docs, 1);
    w.app
        .send_invoices(&buyer, docs.clone())
        .await
        .expect("sent");

    // Only the designated contact gets the documents back, as they were sent.
    let refused = w.app.return_invoices(&admin).await;
    assert_eq!(
        refused.expect_err("not the contact").problem(),
        Some(&Problem::NotTheContact)
    );
    let zip = w.app.return_invoices(&buyer).await.expect("returned");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    assert_eq!(archive.len(), docs.len());
    let mut all = String::new();
    for i in 0..archive.len() {
        use std::io::Read;
        archive
            .by_index(i)
            .expect("entry")
            .read_to_string(&mut all)
            .expect("read");
    }
    assert!(
        all.contains(INJECTED[1]),
        "the raw copy is the document as sent"
    );
    let dpo = w.actor("dpo").await;
    let query = OversightQuery {
        username: Some("indkoeber".into()),
        ..Default::default()
    };
    let log = w.app.access_log(&dpo, &query).await.expect("log").entries;
    assert!(log.iter().any(|e| {
        e.detail
            .contains("tilbageleveret til den udpegede kontaktperson")
    }));
    assert!(log.iter().any(|e| e.detail.contains("rå kopier forseglet")));

    // Five years on, retention deletes the raw copies; the analyses stay.
    w.clock.advance_seconds(5 * 366 * 86_400);
    let run = w.app.run_retention(None, false).await.expect("retention");
    assert_eq!(run.invoice_copies_deleted, docs.len() as u64);
    let zip = w.app.return_invoices(&buyer).await.expect("returned");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    assert_eq!(archive.len(), 0, "nothing raw is left");
    assert_eq!(
        w.app.spend_report(&buyer).await.expect("report").invoices,
        docs.len() as u64 - 1
    );
    let again = w.app.run_retention(None, false).await.expect("retention");
    assert_eq!(again.invoice_copies_deleted, 0);
    w.done().await;
}

async fn the_collaboration_over_http_for_every_role(backend: Backend) {
    let w = World::new(backend, 2).await;
    take_part(&w).await;
    let docs = demo_invoices(DEMO_MUNICIPALITY, 1, today(&w), 5, 0);
    let xml = String::from_utf8(docs[0].bytes.clone()).expect("UTF-8");

    let api = w.api("indkoeber").await;
    let sent = api
        .post_body("/api/v1/invoices", "application/xml", xml.clone())
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["new"], 1);
    let again = api
        .post_body("/api/v1/invoices", "application/xml", xml.clone())
        .await;
    assert_eq!(again.json()["already"], 1);
    let bad = api
        .post_body("/api/v1/invoices", "application/xml", "<Invoice>".into())
        .await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invoice_unreadable");
    let wrong = api
        .post_body("/api/v1/invoices", "text/plain", xml.clone())
        .await;
    wrong.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let report = api.get("/api/v1/invoices/report").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.json()["invoices"], 1);

    // Who may what, over the API.
    for (user, path, allowed) in [
        ("sagsbehandler", "/api/v1/invoices/report", false),
        ("kontrollant", "/api/v1/invoices/report", false),
        ("mentorhuset", "/api/v1/invoices/review", false),
        ("indkoeber", "/api/v1/invoices/review", false),
        ("kontrollant", "/api/v1/invoices/review", true),
        ("admin", "/api/v1/invoices/report", true),
    ] {
        let r = w.api(user).await.get(path).await;
        if allowed {
            assert_eq!(r.status, StatusCode::OK, "{user} {path}: {}", r.body);
        } else {
            r.assert_error(StatusCode::FORBIDDEN, "role_not_allowed");
        }
    }
    let caseworker = w.api("sagsbehandler").await;
    caseworker
        .post_body("/api/v1/invoices", "application/xml", xml.clone())
        .await
        .assert_error(StatusCode::FORBIDDEN, "role_not_allowed");

    // The pages: the buyer's report with its charts and tables, and the upload form.
    let browser = w
        .browser("indkoeber", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let page = browser.get("/fakturaer").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.title(), Some("Indkøbsdata – Skjold"));
    for part in [
        "<svg",
        "kategori-tabel",
        "maaned-tabel",
        "leverandoer-tabel",
        "/fakturaer/send",
        "egne-data.zip",
    ] {
        assert!(page.body.contains(part), "{part} missing");
    }
    let uploaded = browser
        .post_multipart(
            "/fakturaer/send",
            &[],
            Some(("faktura.xml", docs[1].bytes.as_slice())),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let location = uploaded.headers["location"].to_str().expect("location");
    assert!(location.starts_with("/fakturaer?nye=1"), "{location}");
    let csv = browser.get("/fakturaer/rapport.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("opdeling;noegle;fakturaer;beloeb_oere")
    );
    // Others see no report.
    let caseworker = w
        .browser("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        caseworker.get("/fakturaer").await.status,
        StatusCode::FORBIDDEN
    );
    let reviewer = w
        .browser("kontrollant", skjold_app::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        reviewer.get("/fakturaer").await.status,
        StatusCode::FORBIDDEN
    );
    let queue = reviewer.get("/analyse/gennemgang").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("0 dokumenter venter"), "{}", queue.body);
    w.done().await;
}

//! DPAs and their processors (GDPR art. 28) on a fixed clock: the 30 days' notice of a
//! unilateral change, the sub-processor window and the controller's objection,
//! third-country transfers refused until approved, inspections with 7 working days' notice
//! across Easter and Christmas, audit statements missing, the processors' notices, the end
//! of a DPA with the return of what the processor holds, and the security rules.

use skjold_app::processors::{Announcement, TransferInput};
use skjold_core::processors::{
    AuditKind, ChangeKind, DpaTerms, ProcessorNoticeKind, SubProcessorChange, SubProcessorStatus,
    TransferBasis, TransferStatus,
};
use skjold_core::{Date, Problem, Timestamp};
use skjold_store::Backend;
use uuid::Uuid;

use crate::common::World;

crate::on_both_backends!(
    a_unilateral_change_needs_thirty_days_notice,
    a_sub_processor_change_waits_out_the_objection_window,
    third_country_sub_processors_wait_for_an_approved_basis,
    inspections_need_seven_working_days_across_easter_and_christmas,
    processor_notices_and_the_end_of_a_dpa,
    an_ending_dpa_returns_what_the_processor_holds,
    security_rules_cover_their_topics_and_are_reviewed_yearly,
);

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_ymd(y, m, d).expect("date")
}

/// Noon in Copenhagen on the day.
fn noon(d: Date) -> Timestamp {
    d.start_local().plus_seconds(12 * 3600)
}

fn problem(e: skjold_app::AppError) -> Problem {
    e.problem()
        .cloned()
        .unwrap_or_else(|| panic!("a refusal: {e:?}"))
}

fn terms(hours: u32) -> DpaTerms {
    DpaTerms {
        instructions: "Behandling alene til levering af mentorforløb.".into(),
        data_categories: "Identitet, kontakt, beskæftigelse, helbred (skånehensyn)".into(),
        subject_categories: "Borgere i mentorforløb".into(),
        security_level: "Kryptering i hvile og under transport; to-faktor-log-ind".into(),
        breach_notice_hours: hours,
        retention_and_return: "Sletning senest 30 dage efter aftalens ophør".into(),
        audit_terms: "Årlig ISAE 3000-erklæring; tilsyn med 7 arbejdsdages varsel".into(),
    }
}

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

async fn a_unilateral_change_needs_thirty_days_notice(backend: Backend) {
    let w = World::new_at(backend, 4, noon(day(2026, 3, 2))).await;
    let dpo = w.actor("dpo").await;
    let dpa = dpa_of(&w, "Mentorhuset ApS").await;
    let today = day(2026, 3, 2);
    let short = w
        .app
        .new_dpa_version(
            &dpo,
            dpa,
            ChangeKind::Unilateral,
            &terms(12),
            today.plus_days(29),
        )
        .await
        .expect_err("29 days is short");
    assert_eq!(
        problem(short),
        Problem::ChangeNoticeTooShort {
            earliest: day(2026, 4, 1)
        }
    );
    let v = w
        .app
        .new_dpa_version(
            &dpo,
            dpa,
            ChangeKind::Unilateral,
            &terms(12),
            today.plus_days(30),
        )
        .await
        .expect("30 days is enough");
    assert_eq!(v, 2);
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert_eq!(
        desk.in_force().map(|v| v.version),
        Some(1),
        "not yet in force"
    );
    // Bad terms change nothing.
    let bad = w
        .app
        .new_dpa_version(&dpo, dpa, ChangeKind::Agreed, &terms(73), today)
        .await
        .expect_err("73 hours");
    assert_eq!(problem(bad), Problem::BreachNoticeHours);
    assert_eq!(
        w.app
            .dpa_desk(&dpo, dpa)
            .await
            .expect("desk")
            .versions
            .len(),
        2
    );
    // On the day, it is in force; a breach the processor reports then runs on its 12 hours.
    w.clock.set(noon(day(2026, 4, 1)));
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert_eq!(desk.in_force().map(|v| v.version), Some(2));
    // The supplier acknowledges the version, once; another supplier does not see it.
    let supplier = w.actor("mentorhuset").await;
    let v2 = desk
        .versions
        .iter()
        .find(|v| v.version == 2)
        .expect("v2")
        .id;
    w.app
        .acknowledge_dpa_version(&supplier, v2)
        .await
        .expect("ack");
    assert_eq!(
        problem(
            w.app
                .acknowledge_dpa_version(&supplier, v2)
                .await
                .expect_err("twice")
        ),
        Problem::DpaVersionAcknowledged
    );
    let other = w.actor("praktikpartner").await;
    assert_eq!(
        problem(
            w.app
                .acknowledge_dpa_version(&other, v2)
                .await
                .expect_err("not theirs")
        ),
        Problem::DpaVersionNotFound
    );
    let seen = w.app.dpa_desks(&other).await.expect("own desks");
    assert!(
        seen.iter()
            .all(|d| d.dpa.processor_name == "Praktikpartner A/S")
    );
    let report = skjold_core::breaches::BreachReport {
        detected_by: skjold_core::breaches::DetectedBy::Processor,
        processor_id: None,
        processor_aware_at: Some(w.app.now()),
        aware_at: w.app.now(),
        occurred_at: None,
        nature: vec![skjold_core::breaches::Nature::Availability],
        description: "Nedbrud".into(),
        data_categories: vec![],
        subject_categories: String::new(),
        approx_persons: 1,
        approx_records: 1,
        contact_point: "Torben".into(),
        consequences: String::new(),
        measures: String::new(),
        high_risk: false,
        no_risk: false,
    };
    let id = w
        .app
        .report_breach(&supplier, Some(w.demo.municipality_id), &report)
        .await
        .expect("report");
    assert_eq!(
        w.app
            .breach(&dpo, id)
            .await
            .expect("breach")
            .breach_notice_hours,
        12
    );
    w.done().await;
}

async fn a_sub_processor_change_waits_out_the_objection_window(backend: Backend) {
    let w = World::new_at(backend, 4, noon(day(2027, 1, 31))).await;
    let dpa = dpa_of(&w, "Mentorhuset ApS").await;
    let supplier = w.actor("mentorhuset").await;
    let dpo = w.actor("dpo").await;
    let announce = |name: &str, planned_on: Date| Announcement {
        change: SubProcessorChange::Add,
        name: name.into(),
        country: "dk".into(),
        task: "Drift af journalsystem".into(),
        planned_on,
        agreement_on: Some(day(2027, 1, 20)),
    };
    // One month from 31 January is 28 February.
    let early = w
        .app
        .announce_sub_processor(
            &supplier,
            dpa,
            &announce("Hostingfirma A/S", day(2027, 2, 27)),
        )
        .await
        .expect_err("short");
    assert_eq!(
        problem(early),
        Problem::SubProcessorNoticeTooShort {
            earliest: day(2027, 2, 28)
        }
    );
    let objected = w
        .app
        .announce_sub_processor(
            &supplier,
            dpa,
            &announce("Hostingfirma A/S", day(2027, 2, 28)),
        )
        .await
        .expect("announced");
    let accepted = w
        .app
        .announce_sub_processor(
            &supplier,
            dpa,
            &announce("Backupfirma ApS", day(2027, 2, 28)),
        )
        .await
        .expect("announced");
    let status = async |id: Uuid| {
        w.app
            .dpa_desk(&dpo, dpa)
            .await
            .expect("desk")
            .sub_processors
            .into_iter()
            .find(|s| s.id == id)
            .expect("change")
    };
    let s = status(objected).await;
    assert_eq!(
        (s.status, s.objection_deadline),
        (SubProcessorStatus::Announced, day(2027, 2, 28))
    );
    assert!(s.may_object);
    // The last day of the window: the controller may still object.
    w.clock.set(noon(day(2027, 2, 28)));
    w.app
        .object_sub_processor(
            &dpo,
            objected,
            "Hostingfirmaet opfylder ikke vores krav til logning.",
        )
        .await
        .expect("objected on the last day");
    assert_eq!(
        problem(
            w.app
                .object_sub_processor(&dpo, objected, "igen, igen")
                .await
                .expect_err("settled")
        ),
        Problem::SubProcessorChangeSettled
    );
    // The day after: too late to object to the other, which takes effect; the objected
    // one never does.
    w.clock.set(noon(day(2027, 3, 1)));
    assert_eq!(
        problem(
            w.app
                .object_sub_processor(&dpo, accepted, "for sent ude")
                .await
                .expect_err("closed")
        ),
        Problem::ObjectionWindowClosed
    );
    assert_eq!(status(accepted).await.status, SubProcessorStatus::InEffect);
    w.clock.set(noon(day(2028, 1, 1)));
    assert_eq!(status(objected).await.status, SubProcessorStatus::Objected);
    // The supplier cannot object, nor the auditor; the records list the one in effect.
    let auditor = w.actor("revisor").await;
    assert!(matches!(
        problem(
            w.app
                .object_sub_processor(&auditor, accepted, "revisor")
                .await
                .expect_err("role")
        ),
        Problem::RoleNotAllowed(_)
    ));
    let records = w.app.records_of_processing(&dpo).await.expect("records");
    let mentor = records
        .processors
        .iter()
        .find(|p| p.name == "Mentorhuset ApS")
        .expect("p");
    let names: Vec<_> = mentor
        .sub_processors
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, vec!["Backupfirma ApS"]);
    w.done().await;
}

async fn third_country_sub_processors_wait_for_an_approved_basis(backend: Backend) {
    let w = World::new_at(backend, 4, noon(day(2026, 6, 1))).await;
    let dpa = dpa_of(&w, "Mentorhuset ApS").await;
    let supplier = w.actor("mentorhuset").await;
    let dpo = w.actor("dpo").await;
    let id = w
        .app
        .announce_sub_processor(
            &supplier,
            dpa,
            &Announcement {
                change: SubProcessorChange::Add,
                name: "Cloud Inc.".into(),
                country: "US".into(),
                task: "Lagring af sikkerhedskopier".into(),
                planned_on: day(2026, 7, 1),
                agreement_on: None,
            },
        )
        .await
        .expect("announced");
    w.clock.set(noon(day(2026, 7, 10)));
    let s = |desk: &skjold_core::processors::DpaDesk| {
        desk.sub_processors
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .expect("s")
    };
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert!(s(&desk).needs_transfer_basis);
    assert_eq!(
        s(&desk).status,
        SubProcessorStatus::Announced,
        "refused until a basis is approved"
    );
    let inside = w
        .app
        .present_transfer(
            &supplier,
            dpa,
            &TransferInput {
                recipient: "Drift GmbH".into(),
                country: "DE".into(),
                basis: TransferBasis::StandardContractualClauses,
                document_name: "scc.pdf".into(),
                document: b"%PDF-1.7 SCC".to_vec(),
            },
        )
        .await
        .expect_err("inside the EEA");
    assert_eq!(problem(inside), Problem::TransferInsideEea);
    let transfer = w
        .app
        .present_transfer(
            &supplier,
            dpa,
            &TransferInput {
                recipient: "Cloud Inc.".into(),
                country: "us".into(),
                basis: TransferBasis::StandardContractualClauses,
                document_name: "scc-2021-914.pdf".into(),
                document: b"%PDF-1.7 SCC module 3".to_vec(),
            },
        )
        .await
        .expect("presented");
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert_eq!(desk.transfers[0].status, TransferStatus::Presented);
    assert_eq!(desk.transfers[0].document_sha256.len(), 64);
    assert!(s(&desk).needs_transfer_basis);
    w.app
        .decide_transfer(
            &dpo,
            transfer,
            true,
            "SCC modul 3 med supplerende foranstaltninger",
        )
        .await
        .expect("approved");
    assert_eq!(
        problem(
            w.app
                .decide_transfer(&dpo, transfer, false, "")
                .await
                .expect_err("decided")
        ),
        Problem::TransferDecided
    );
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert!(!s(&desk).needs_transfer_basis);
    assert_eq!(s(&desk).status, SubProcessorStatus::InEffect);
    let records = w.app.records_of_processing(&dpo).await.expect("records");
    let mentor = records
        .processors
        .iter()
        .find(|p| p.name == "Mentorhuset ApS")
        .expect("p");
    assert!(
        mentor
            .transfers
            .iter()
            .any(|t| t.country == "US" && t.approved)
    );
    w.done().await;
}

async fn inspections_need_seven_working_days_across_easter_and_christmas(backend: Backend) {
    // Wednesday 1 April 2026: Skærtorsdag, Langfredag and 2. påskedag fall in the notice.
    let w = World::new_at(backend, 4, noon(day(2026, 4, 1))).await;
    let dpa = dpa_of(&w, "Mentorhuset ApS").await;
    let dpo = w.actor("dpo").await;
    let plan = async |on: Date| {
        w.app
            .record_audit(
                &dpo,
                dpa,
                AuditKind::Inspection,
                on,
                "Fysisk tilsyn hos leverandøren",
            )
            .await
    };
    assert_eq!(
        problem(plan(day(2026, 4, 14)).await.expect_err("short")),
        Problem::InspectionNoticeTooShort {
            earliest: day(2026, 4, 15)
        }
    );
    plan(day(2026, 4, 15)).await.expect("seven working days");
    // Friday 18 December 2026: 24-26 December, 31 December and 1 January are closed.
    w.clock.set(noon(day(2026, 12, 18)));
    assert_eq!(
        problem(plan(day(2026, 12, 31)).await.expect_err("short")),
        Problem::InspectionNoticeTooShort {
            earliest: day(2027, 1, 4)
        }
    );
    plan(day(2027, 1, 4)).await.expect("seven working days");
    // The yearly statement: missing (the DPA started 30 months ago), then recorded.
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert!(desk.audit_status.missing);
    assert_eq!(desk.audits.len(), 2);
    w.app
        .record_audit(
            &dpo,
            dpa,
            AuditKind::Statement,
            day(2026, 12, 1),
            "ISAE 3000 type 2 uden forbehold",
        )
        .await
        .expect("statement");
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    assert!(!desk.audit_status.missing);
    assert_eq!(desk.audit_status.next_due, day(2027, 12, 1));
    w.clock.set(noon(day(2027, 12, 2)));
    assert!(
        w.app
            .dpa_desk(&dpo, dpa)
            .await
            .expect("desk")
            .audit_status
            .missing
    );
    w.done().await;
}

async fn processor_notices_and_the_end_of_a_dpa(backend: Backend) {
    let w = World::new_at(backend, 4, noon(day(2026, 9, 14))).await;
    let dpa = dpa_of(&w, "Mentorhuset ApS").await;
    let supplier = w.actor("mentorhuset").await;
    let dpo = w.actor("dpo").await;
    // A rights request the supplier received on Friday, passed on Monday: within 3 days.
    let request = "Borger beder om indsigt i de oplysninger, mentoren har.";
    let id = w
        .app
        .send_processor_notice(
            &supplier,
            dpa,
            ProcessorNoticeKind::RightsRequest,
            day(2026, 9, 11),
            request,
        )
        .await
        .expect("sent");
    let warning = w
        .app
        .send_processor_notice(
            &supplier,
            dpa,
            ProcessorNoticeKind::UnlawfulInstruction,
            day(2026, 9, 10),
            "Instruksen om at sende helbredsoplysninger pr. e-mail er efter vores vurdering ulovlig.",
        )
        .await
        .expect("sent");
    let desk = w.app.dpa_desk(&dpo, dpa).await.expect("desk");
    let n = desk.notices.iter().find(|n| n.id == id).expect("notice");
    assert_eq!(
        (n.due_on, n.late, n.body.as_str()),
        (day(2026, 9, 14), false, request)
    );
    let late = desk
        .notices
        .iter()
        .find(|n| n.id == warning)
        .expect("warning");
    assert!(late.late, "an unlawful instruction is due at once");
    w.app
        .handle_processor_notice(&dpo, id, "Sendt videre til jobcentret som indsigtssag.")
        .await
        .expect("handled");
    assert_eq!(
        problem(
            w.app
                .handle_processor_notice(&dpo, id, "igen igen")
                .await
                .expect_err("handled")
        ),
        Problem::ProcessorNoticeHandled
    );
    // The notice's text is sealed at rest.
    let rest = crate::at_rest::at_rest(&w);
    for needle in crate::at_rest::encodings(request) {
        assert!(
            !rest
                .windows(needle.len())
                .any(|win| win == needle.as_slice()),
            "the notice's text is sealed"
        );
    }
    // A DPA that ended 45 days ago: return or deletion was due 15 days ago.
    let ended = dpa_of(&w, "Kompetencecentret Øst ApS").await;
    let desk = w.app.dpa_desk(&dpo, ended).await.expect("desk");
    assert!(
        desk.attention()
            .iter()
            .any(|a| matches!(a, skjold_core::processors::Attention::EndingOverdue { .. }))
    );
    let ending = desk.ending.expect("ended");
    assert!(ending.overdue);
    assert_eq!(ending.due_on, ending.ended_on.plus_days(30));
    let former = w.actor("kompetencecentret").await;
    w.app
        .confirm_dpa_end(
            &former,
            ended,
            "Alle data er slettet den 10.9.2026, også i sikkerhedskopier.",
        )
        .await
        .expect("confirmed");
    let ending = w
        .app
        .dpa_desk(&dpo, ended)
        .await
        .expect("desk")
        .ending
        .expect("ended");
    assert!(!ending.overdue && ending.confirmed_at.is_some());
    assert_eq!(
        problem(
            w.app
                .confirm_dpa_end(&former, ended, "en gang til")
                .await
                .expect_err("done")
        ),
        Problem::DpaNotEnded
    );
    assert_eq!(
        problem(
            w.app
                .confirm_dpa_end(&supplier, dpa, "ikke ophørt endnu")
                .await
                .expect_err("in force")
        ),
        Problem::DpaNotEnded
    );
    w.done().await;
}

async fn an_ending_dpa_returns_what_the_processor_holds(backend: Backend) {
    let w = World::new_at(backend, 4, noon(day(2026, 9, 14))).await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let supplier = w.actor("praktikpartner").await;
    let (a, b) = (w.demo.citizens[0].clone(), w.demo.citizens[1].clone());
    w.search(&cw, &a).await;
    w.search(&cw, &b).await;
    let first = w.order(&cw, a.id, "PRAKTIK", "Praktikpartner A/S").await;
    let second = w.order(&cw, a.id, "JOBSOG", "Praktikpartner A/S").await;
    let done = w.order(&cw, b.id, "PRAKTIK", "Praktikpartner A/S").await;
    w.app.close_order(&cw, done).await.expect("closed");
    w.app
        .confirm_deletion(&supplier, done)
        .await
        .expect("deleted");
    // Praktikpartner's DPA has an end date; Mentorhuset's runs until further notice.
    let dpa = dpa_of(&w, "Praktikpartner A/S").await;
    let before = w.log_count().await;
    let export = w.app.return_export(&dpo, dpa).await.expect("export");
    let logged = w.log_count().await - before - 1;

    assert_eq!(export.dpa.id, dpa);
    assert_eq!(export.made_by, dpo.display_name);
    let ids: Vec<Uuid> = export.orders.iter().map(|o| o.order.id).collect();
    assert!(ids.contains(&first) && ids.contains(&second));
    assert!(!ids.contains(&done), "a confirmed deletion holds nothing");
    assert!(export.orders.iter().all(|o| {
        o.order.supplier_name == "Praktikpartner A/S"
            && o.order
                .closing
                .as_ref()
                .is_none_or(|c| c.deletion_confirmed_at.is_none())
    }));
    // The values are the ones the supplier sees on the order.
    for id in [first, second] {
        let seen = w.app.supplier_order(&supplier, id).await.expect("seen");
        let returned = export
            .orders
            .iter()
            .find(|o| o.order.id == id)
            .expect("returned");
        let values = |f: &[skjold_core::orders::DisclosedField]| {
            f.iter()
                .map(|f| (f.field, f.value.clone()))
                .collect::<Vec<_>>()
        };
        assert!(!seen.fields.is_empty());
        assert_eq!(values(&returned.fields), values(&seen.fields));
    }
    // One access-log entry per citizen the export names, each tied to the citizen.
    assert_eq!(logged, export.citizens);
    let q = skjold_app::oversight::OversightQuery {
        cpr: Some(a.cpr.formatted()),
        ..Default::default()
    };
    let revisor = w.actor("revisor").await;
    let entries = w.app.access_log(&revisor, &q).await.expect("log").entries;
    let returns: Vec<_> = entries
        .iter()
        .filter(|e| e.detail.starts_with("Tilbagelevering ved ophør"))
        .collect();
    assert_eq!(returns.len(), 1, "one entry for the citizen's two orders");
    assert_eq!(returns[0].subject_id, Some(a.id));
    assert_eq!(returns[0].user_id, Some(dpo.user_id));

    // Nothing to return while a DPA has no end; only the privacy officer takes it.
    let open_ended = dpa_of(&w, "Mentorhuset ApS").await;
    assert_eq!(
        problem(
            w.app
                .return_export(&dpo, open_ended)
                .await
                .expect_err("no end")
        ),
        Problem::DpaNoEnd
    );
    for who in ["sagsbehandler", "praktikpartner", "revisor"] {
        let actor = w.actor(who).await;
        let refused = w.app.return_export(&actor, dpa).await.expect_err(who);
        assert!(
            matches!(problem(refused), Problem::RoleNotAllowed(_)),
            "{who} may not take the return export"
        );
    }
    w.done().await;
}

async fn security_rules_cover_their_topics_and_are_reviewed_yearly(backend: Backend) {
    let w = World::new_at(backend, 4, noon(day(2026, 5, 4))).await;
    let dpo = w.actor("dpo").await;
    let incomplete = w
        .app
        .approve_security_rules(
            &dpo,
            "Informationssikkerhedsregler",
            "Skærmlås efter 5 minutter.",
            dpo.user_id,
        )
        .await
        .expect_err("incomplete");
    assert_eq!(
        problem(incomplete),
        Problem::SecurityRulesIncomplete(vec![
            "hjemmearbejde".into(),
            "bortskaffelse".into(),
            "reparation".into()
        ])
    );
    let body = "Hjemmearbejde sker på krypterede enheder over VPN.\n\
                Bortskaffelse: datamedier destrueres af godkendt leverandør.\n\
                Reparation og service: enheder slettes før de sendes til reparation.";
    assert_eq!(
        w.app
            .approve_security_rules(&dpo, "Informationssikkerhedsregler", body, dpo.user_id)
            .await
            .expect("v1"),
        1
    );
    assert_eq!(
        w.app
            .approve_security_rules(&dpo, "Informationssikkerhedsregler 2026", body, dpo.user_id)
            .await
            .expect("v2"),
        2
    );
    let rules = w.app.security_rules(&dpo).await.expect("rules");
    assert_eq!(rules.len(), 2, "every version is kept");
    assert_eq!(rules[0].review_due, day(2027, 5, 4));
    assert!(!rules[0].review_overdue);
    w.clock.set(noon(day(2027, 5, 5)));
    assert!(w.app.security_rules(&dpo).await.expect("rules")[0].review_overdue);
    let cw = w.actor("sagsbehandler").await;
    assert!(matches!(
        problem(
            w.app
                .approve_security_rules(&cw, "x", body, cw.user_id)
                .await
                .expect_err("role")
        ),
        Problem::RoleNotAllowed(_)
    ));
    w.done().await;
}

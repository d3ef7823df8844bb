//! Secure messages and data requests (issue: messages), one scenario per story, on
//! SQLite and PostgreSQL.

use sha2::{Digest, Sha256};

use crate::common::World;
use skjold_app::AppError;
use skjold_app::data_requests::FieldDecisionInput;
use skjold_app::oversight::OversightQuery;
use skjold_core::FieldKey;
use skjold_core::disclosures::DisclosureKind;
use skjold_store::Backend;
use skjold_web::i18n::Lang;

crate::on_both_backends!(
    supplier_asks_for_data_and_caseworker_decides,
    messages_carry_evidence_of_delivery,
    guard_stops_undisclosed_data_until_confirmed,
    threads_are_private_to_the_order,
    attachments_are_checked_sealed_and_private,
    notices_say_only_that_there_is_a_message,
    reminders_need_consent_for_the_channel,
    general_threads_concern_no_citizen,
    notices_travel_over_tls,
);

fn code(e: AppError) -> &'static str {
    e.code()
}

async fn mentor_order(w: &World, citizen: usize) -> uuid::Uuid {
    let cw = w.actor("sagsbehandler").await;
    let c = &w.demo.citizens[citizen];
    w.search(&cw, c).await;
    w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await
}

async fn supplier_asks_for_data_and_caseworker_decides(backend: Backend) {
    let w = World::new(backend, 8).await;
    let order = mentor_order(&w, 6).await;
    let citizen = w.demo.citizens[6].clone();
    let supplier = w.actor("mentorhuset").await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;

    // The supplier may ask only for what the policy allows on a justified decision.
    let thread = w.app.thread(&supplier, order).await.expect("thread");
    assert!(thread.requestable.contains(&FieldKey::Address));
    assert!(!thread.requestable.contains(&FieldKey::CriminalRecord));
    assert!(
        !thread.requestable.contains(&FieldKey::Name),
        "already disclosed"
    );
    let why = "Mentoren skal mødes med borgeren i hjemmet første gang";
    let never = w
        .app
        .request_data(&supplier, order, &["criminal_record".into()], why)
        .await;
    assert_eq!(never.map_err(code).err(), Some("field_never_disclosed"));
    let no_reason = w
        .app
        .request_data(&supplier, order, &["address".into()], "  ")
        .await;
    assert_eq!(no_reason.map_err(code).err(), Some("reason_required"));
    assert!(
        w.app.open_requests(&cw).await.expect("open").is_empty(),
        "refused requests store nothing"
    );

    let request = w
        .app
        .request_data(&supplier, order, &["address".into(), "phone".into()], why)
        .await
        .expect("request");
    let open = w.app.open_requests(&cw).await.expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].fields, vec![FieldKey::Address, FieldKey::Phone]);

    // The caseworker sees the request with the citizen's data beside it.
    let view = w.app.thread(&cw, order).await.expect("thread");
    assert!(
        view.requested_values
            .contains(&(FieldKey::Address, citizen.address.clone()))
    );
    assert!(view.requests[0].is_open());
    // A caseworker cannot reject without a reason; the request stays open.
    assert_eq!(
        w.app
            .decide_request(
                &cw,
                request,
                &[
                    FieldDecisionInput::reject("address", ""),
                    FieldDecisionInput::reject("phone", ""),
                ],
            )
            .await
            .map_err(code)
            .err(),
        Some("reason_required")
    );
    assert_eq!(w.app.open_requests(&cw).await.expect("open").len(), 1);

    let ledger_before = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries
        .len();
    w.app
        .decide_request(
            &cw,
            request,
            &[
                FieldDecisionInput::approve("address", "Godkendt: hjemmebesøg aftalt med borgeren"),
                FieldDecisionInput::approve("phone", "Godkendt: hjemmebesøg aftalt med borgeren"),
            ],
        )
        .await
        .expect("approve");
    assert!(w.app.open_requests(&cw).await.expect("open").is_empty());
    assert_eq!(
        w.app
            .decide_request(
                &cw,
                request,
                &[
                    FieldDecisionInput::approve("address", ""),
                    FieldDecisionInput::approve("phone", ""),
                ],
            )
            .await
            .map_err(code)
            .err(),
        Some("request_decided")
    );
    let ledger = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries;
    assert_eq!(ledger.len(), ledger_before + 2);
    let new: Vec<_> = ledger
        .iter()
        .filter(|l| l.order_id == order && l.kind == DisclosureKind::Manual)
        .collect();
    assert_eq!(new.len(), 2);
    assert!(new.iter().all(|l| {
        l.justification
            .as_deref()
            .is_some_and(|j| j.contains(why) && j.contains("hjemmebesøg aftalt"))
    }));

    // The supplier now sees the fields, and the decision in the thread.
    let seen = w.app.supplier_order(&supplier, order).await.expect("order");
    assert!(
        seen.fields
            .iter()
            .any(|f| f.field == FieldKey::Address && f.value == citizen.address)
    );
    assert!(
        seen.fields
            .iter()
            .any(|f| f.field == FieldKey::Phone && f.value == citizen.phone)
    );
    let thread = w.app.thread(&supplier, order).await.expect("thread");
    assert_eq!(
        thread
            .messages
            .iter()
            .map(|m| m.kind.as_str())
            .collect::<Vec<_>>(),
        ["data_request", "decision"]
    );
    assert!(thread.messages[1].body.contains("godkendt"));
    assert_eq!(thread.requests[0].status_danish(), "Godkendt");

    // A rejected request discloses nothing and says why.
    let second = w
        .app
        .request_data(
            &supplier,
            order,
            &["family_situation".into()],
            "Forløbet skal tage hensyn til børnepasning",
        )
        .await
        .expect("request");
    w.app
        .decide_request(
            &cw,
            second,
            &[FieldDecisionInput::reject(
                "family_situation",
                "Ikke nødvendigt for mentorforløbet",
            )],
        )
        .await
        .expect("reject");
    let seen = w.app.supplier_order(&supplier, order).await.expect("order");
    assert!(
        !seen
            .fields
            .iter()
            .any(|f| f.field == FieldKey::FamilySituation)
    );
    let thread = w.app.thread(&supplier, order).await.expect("thread");
    assert!(
        thread
            .messages
            .last()
            .is_some_and(|m| m.body.contains("Ikke nødvendigt for mentorforløbet"))
    );
    w.done().await;
}

async fn messages_carry_evidence_of_delivery(backend: Backend) {
    let w = World::new(backend, 8).await;
    let order = mentor_order(&w, 5).await;
    let supplier = w.actor("mentorhuset").await;
    let cw = w.actor("sagsbehandler").await;

    assert_eq!(
        w.app
            .send_message(&cw, order, "   ", None)
            .await
            .map_err(code)
            .err(),
        Some("message_empty")
    );
    let body = "Første møde er aftalt til tirsdag kl. 10 i jobcentret.";
    let id = w
        .app
        .send_message(&cw, order, body, None)
        .await
        .expect("send");
    w.clock.advance_seconds(3600);
    let thread = w.app.thread(&supplier, order).await.expect("thread");
    let m = &thread.messages[0];
    assert_eq!(m.id, id);
    assert_eq!(m.body, body);
    assert_eq!(m.sender, cw.display_name);
    assert_eq!(m.recipients, "Mentorhuset ApS");
    assert_eq!(m.delivery, "Leveret i Skjold, krypteret");
    let mut h = Sha256::new();
    h.update(id.as_bytes());
    h.update(body.as_bytes());
    assert_eq!(m.content_hash, hex::encode(h.finalize()));
    assert!(m.new_for_me, "unread before this view");
    assert!(m.reads.is_empty());

    // The supplier replies; the caseworker sees when the supplier first read the message.
    w.app
        .send_message(&supplier, order, "Tak, vi kommer.", None)
        .await
        .expect("reply");
    let thread = w.app.thread(&cw, order).await.expect("thread");
    assert_eq!(thread.messages.len(), 2);
    assert_eq!(thread.messages[0].reads.len(), 1);
    assert_eq!(thread.messages[0].reads[0].reader, supplier.display_name);
    assert_eq!(
        thread.messages[0].reads[0].at,
        crate::common::NOW.plus_seconds(3600)
    );
    assert!(thread.messages[1].new_for_me);
    assert!(thread.messages[1].recipients.contains(&cw.display_name));
    let again = w.app.thread(&cw, order).await.expect("thread");
    assert!(!again.messages[1].new_for_me, "read now");

    // Reading a thread is logged.
    let dpo = w.actor("dpo").await;
    let log = w
        .app
        .access_log(
            &dpo,
            &OversightQuery {
                username: Some("mentorhuset".into()),
                ..Default::default()
            },
        )
        .await
        .expect("log")
        .entries;
    assert!(log.iter().any(|e| e.detail.starts_with("Beskedtråd")));
    w.done().await;
}

async fn guard_stops_undisclosed_data_until_confirmed(backend: Backend) {
    let w = World::new(backend, 8).await;
    let order = mentor_order(&w, 4).await;
    let citizen = w.demo.citizens[4].clone();
    let cw = w.actor("sagsbehandler").await;
    let supplier = w.actor("mentorhuset").await;
    let dpo = w.actor("dpo").await;
    let ledger_before = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries
        .len();

    let with_phone = format!("Ring gerne direkte til borgeren på {}.", citizen.phone);
    let stopped = w.app.send_message(&cw, order, &with_phone, None).await;
    let err = stopped.expect_err("guard");
    assert_eq!(err.code(), "guard_confirmation_required");
    let words = skjold_web::i18n::problem(err.problem().expect("a refusal"), Lang::Da);
    assert!(words.contains("Telefon"), "{words}");
    for text in [
        format!("Borgerens CPR-nummer er {}.", citizen.cpr.formatted()),
        "Hun er i behandling for depression.".to_owned(),
    ] {
        assert_eq!(
            w.app
                .send_message(&cw, order, &text, None)
                .await
                .map_err(code)
                .err(),
            Some("guard_confirmation_required"),
            "{text}"
        );
    }
    assert_eq!(
        w.app
            .send_message(&cw, order, &with_phone, Some("kort"))
            .await
            .map_err(code)
            .err(),
        Some("guard_confirmation_required")
    );
    assert!(
        w.app
            .thread(&supplier, order)
            .await
            .expect("thread")
            .messages
            .is_empty(),
        "nothing was sent"
    );

    // Names the supplier already has are fine; confirmed, the phone goes as a manual disclosure.
    w.app
        .send_message(&cw, order, &format!("{} møder kl. 10.", citizen.name), None)
        .await
        .expect("disclosed name is fine");
    w.app
        .send_message(
            &cw,
            order,
            &with_phone,
            Some("Mentoren skal kunne ringe før første møde"),
        )
        .await
        .expect("confirmed");
    let ledger = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries;
    assert_eq!(ledger.len(), ledger_before + 1);
    let phone = ledger
        .iter()
        .find(|l| l.order_id == order && l.field == Some(FieldKey::Phone))
        .expect("phone in the ledger");
    assert_eq!(phone.kind, DisclosureKind::Manual);
    assert!(
        phone
            .justification
            .as_deref()
            .is_some_and(|j| j.contains("ringe før første møde"))
    );
    assert_eq!(
        w.app
            .thread(&supplier, order)
            .await
            .expect("thread")
            .messages
            .len(),
        2
    );

    // The supplier writing to the municipality is not a disclosure: no guard.
    w.app
        .send_message(
            &supplier,
            order,
            "Borgeren fortalte om sin depression.",
            None,
        )
        .await
        .expect("supplier message");
    w.done().await;
}

async fn threads_are_private_to_the_order(backend: Backend) {
    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[3].clone();
    // An order with the supplier whose DPA has since expired.
    w.clock.set(crate::common::NOW.plus_seconds(-100 * 86_400));
    let old = w
        .order(&cw, citizen.id, "OPKVAL", "Kompetencecentret Øst ApS")
        .await;
    let expired = w.actor("kompetencecentret").await;
    w.app
        .send_message(&expired, old, "Forløbet er afsluttet.", None)
        .await
        .expect("while in force");
    assert!(w.app.supplier_order(&expired, old).await.is_ok());
    w.clock.set(crate::common::NOW);
    assert_eq!(
        w.app.thread(&expired, old).await.map_err(code).err(),
        Some("dpa_not_in_force")
    );
    assert_eq!(
        w.app
            .supplier_order(&expired, old)
            .await
            .map_err(code)
            .err(),
        Some("dpa_not_in_force")
    );
    assert_eq!(
        w.app
            .send_message(&expired, old, "Hallo?", None)
            .await
            .map_err(code)
            .err(),
        Some("dpa_not_in_force")
    );
    let history = w
        .app
        .thread(&cw, old)
        .await
        .expect("the caseworker keeps the history");
    assert_eq!(history.messages.len(), 1);

    let order = mentor_order(&w, 2).await;
    let other = w.actor("praktikpartner").await;
    assert_eq!(
        w.app.thread(&other, order).await.map_err(code).err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app
            .send_message(&other, order, "Må vi hjælpe?", None)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app
            .request_data(
                &other,
                order,
                &["address".into()],
                "Vi vil gerne hjælpe borgeren"
            )
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    let dpo = w.actor("dpo").await;
    assert_eq!(
        w.app.thread(&dpo, order).await.map_err(code).err(),
        Some("role_not_allowed")
    );
    assert!(
        w.app
            .thread(&w.actor("mentorhuset").await, order)
            .await
            .expect("own thread")
            .messages
            .is_empty()
    );
    w.done().await;
}

async fn attachments_are_checked_sealed_and_private(backend: Backend) {
    use skjold_app::threads::uploads::Upload;
    let w = World::new(backend, 8).await;
    let order = mentor_order(&w, 1).await;
    let supplier = w.actor("mentorhuset").await;
    let cw = w.actor("sagsbehandler").await;
    let pdf = b"%PDF-1.7\n% Moedeplan\n".to_vec();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();

    // Refused uploads store nothing.
    let disguised = [Upload {
        filename: "plan.pdf".into(),
        bytes: png.clone(),
    }];
    let r = w
        .app
        .send_message_with(&supplier, order, "Se vedhæftet", &disguised, None)
        .await;
    assert_eq!(r.map_err(code).err(), Some("attachment_disguised"));
    let six: Vec<Upload> = (0..6)
        .map(|i| Upload {
            filename: format!("p{i}.pdf"),
            bytes: pdf.clone(),
        })
        .collect();
    let r = w
        .app
        .send_message_with(&supplier, order, "Se vedhæftet", &six, None)
        .await;
    assert_eq!(r.map_err(code).err(), Some("too_many_attachments"));
    assert!(
        w.app
            .thread(&supplier, order)
            .await
            .expect("thread")
            .messages
            .is_empty()
    );

    let files = [
        Upload {
            filename: "../Mødeplan uge 48.pdf".into(),
            bytes: pdf.clone(),
        },
        Upload {
            filename: "foto.png".into(),
            bytes: png.clone(),
        },
    ];
    w.app
        .send_message_with(
            &supplier,
            order,
            "Mødeplan og foto vedhæftet.",
            &files,
            None,
        )
        .await
        .expect("send");
    let thread = w.app.thread(&cw, order).await.expect("thread");
    let sent = &thread.messages[0].attachments;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].filename.as_str().max(sent[1].filename.as_str()),
        "foto.png"
    );
    let plan = sent
        .iter()
        .find(|a| a.content_type == "application/pdf")
        .expect("pdf");
    assert_eq!(plan.filename, "Mødeplan uge 48.pdf");
    assert_eq!(plan.size, pdf.len() as i64);
    let file = w.app.attachment(&cw, plan.id).await.expect("download");
    assert_eq!(file.bytes, pdf);
    assert_eq!(file.content_type, "application/pdf");

    // Nobody outside the thread gets it.
    for who in ["praktikpartner", "dpo", "admin"] {
        let a = w.actor(who).await;
        assert_eq!(
            w.app.attachment(&a, plan.id).await.map_err(code).err(),
            Some(if who == "praktikpartner" {
                "attachment_not_found"
            } else {
                "role_not_allowed"
            }),
            "{who}"
        );
    }
    w.done().await;
}

async fn notices_say_only_that_there_is_a_message(backend: Backend) {
    use skjold_app::notify::{Notifier, SmtpNotifier};
    let w = World::new(backend, 8).await;
    let (port, inbox) = crate::common::smtp::sink().await;
    let smtp = SmtpNotifier::new(
        &format!("smtp://127.0.0.1:{port}"),
        "skjold@kommune.example",
        "https://skjold.kommune.example",
        None,
    )
    .expect("notifier");
    let app = w.app.clone().with_notifier(Notifier::Smtp(Box::new(smtp)));
    for (user, email) in [
        ("mentorhuset", "torben@mentorhuset.example"),
        ("sagsbehandler", "rk@jobcenter.example"),
        ("sagsbehandler2", "ye@jobcenter.example"),
    ] {
        let a = w.actor(user).await;
        w.db.store
            .directory()
            .set_notify_email(a.user_id, Some(email))
            .await
            .expect("email");
    }
    let citizen = w.demo.citizens[6].clone();
    let order = mentor_order(&w, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let body = format!("{} møder tirsdag kl. 10 om jobmålet.", citizen.name);
    app.send_message(&cw, order, &body, None)
        .await
        .expect("send");
    let mails = crate::common::smtp::wait_for(&inbox, 1).await;
    assert_eq!(mails.len(), 1, "one notice, to the supplier");
    assert_eq!(mails[0].to, ["torben@mentorhuset.example"]);
    let text = &mails[0].data;
    assert!(text.contains("Subject: Ny besked i Skjold"));
    assert!(text.contains("https://skjold.kommune.example/"));
    for secret in [
        citizen.name.as_str(),
        "tirsdag",
        "jobmålet",
        &citizen.cpr.formatted(),
    ] {
        assert!(!text.contains(secret), "the notice leaks {secret:?}");
    }

    // The supplier's reply notifies the caseworkers of the order's unit, not the sender
    // and not the other unit.
    let supplier = w.actor("mentorhuset").await;
    app.send_message(&supplier, order, "Tak, vi kommer.", None)
        .await
        .expect("reply");
    let mails = crate::common::smtp::wait_for(&inbox, 2).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].to, ["rk@jobcenter.example"]);
    assert!(!mails[1].data.contains("Tak, vi kommer"));
    w.done().await;
}

async fn reminders_need_consent_for_the_channel(backend: Backend) {
    use skjold_app::reminders::{Appointment, FileProvider};
    let w = World::new(backend, 8).await;
    let outbox = std::env::temp_dir().join(format!("skjold-outbox-{}.jsonl", uuid::Uuid::new_v4()));
    let app = w
        .app
        .clone()
        .with_reminder_provider(std::sync::Arc::new(FileProvider::new(&outbox)));
    let citizen = w.demo.citizens[3].clone();
    let order = mentor_order(&w, 3).await;
    let cw = w.actor("sagsbehandler").await;
    let meeting = Appointment {
        date: "2026-12-01".parse().expect("date"),
        time: "10:00".into(),
        place: "Jobcentret, Bispebjerg Bakke 23".into(),
    };
    let sent = || {
        std::fs::read_to_string(&outbox)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };

    assert_eq!(
        app.send_reminder(&cw, order, "sms", &meeting)
            .await
            .map_err(code)
            .err(),
        Some("no_consent")
    );
    assert!(sent().is_empty());
    assert_eq!(
        app.record_consent(&cw, citizen.id, "sms", "v1", "kort")
            .await
            .map_err(code)
            .err(),
        Some("consent_evidence")
    );
    app.record_consent(
        &cw,
        citizen.id,
        "sms",
        "samtykke-sms v1",
        "Givet mundtligt ved samtale 23.11, noteret af sagsbehandler",
    )
    .await
    .expect("consent");

    let text = app
        .send_reminder(&cw, order, "sms", &meeting)
        .await
        .expect("reminder");
    assert!(text.contains("01.12.2026 kl. 10:00") && text.contains("Bispebjerg Bakke 23"));
    let lines = sent();
    assert_eq!(lines.len(), 1);
    let line: serde_json::Value = serde_json::from_str(&lines[0]).expect("json");
    assert_eq!(line["to"], citizen.phone.as_str());
    assert_eq!(line["channel"], "sms");
    assert!(
        !text.contains(&citizen.name),
        "only the appointment, not even the recipient's name"
    );

    // Another person's name, or a sensitive word, cannot ride along.
    for place in [
        "hos Mette Jensen",
        "Psykiatrisk ambulatorium, afsnit for depression",
    ] {
        let bad = Appointment {
            place: place.into(),
            ..meeting.clone()
        };
        assert_eq!(
            app.send_reminder(&cw, order, "sms", &bad)
                .await
                .map_err(code)
                .err(),
            Some("reminder_content"),
            "{place}"
        );
    }
    // No e-mail consent: no e-mail reminder.
    assert_eq!(
        app.send_reminder(&cw, order, "email", &meeting)
            .await
            .map_err(code)
            .err(),
        Some("no_consent")
    );
    // Withdrawn: no more reminders from that moment.
    w.clock.advance_seconds(60);
    app.withdraw_consent(&cw, citizen.id, "sms")
        .await
        .expect("withdraw");
    assert_eq!(
        app.send_reminder(&cw, order, "sms", &meeting)
            .await
            .map_err(code)
            .err(),
        Some("no_consent")
    );
    assert_eq!(sent().len(), 1);
    let consents = app.consents(&cw, citizen.id).await.expect("consents");
    assert!(consents.iter().all(|c| !c.in_force(w.app.now())));

    // Only caseworkers send reminders.
    let supplier = w.actor("mentorhuset").await;
    assert!(
        app.send_reminder(&supplier, order, "sms", &meeting)
            .await
            .is_err()
    );
    assert_eq!(sent().len(), 1);
    let _ = std::fs::remove_file(&outbox);
    w.done().await;
}

async fn general_threads_concern_no_citizen(backend: Backend) {
    use skjold_app::threads::uploads::Upload;
    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    let cw2 = w.actor("sagsbehandler2").await;
    let supplier = w.actor("mentorhuset").await;
    let mentorhuset = w.org("Mentorhuset ApS");
    let municipality = cw.controller_id;
    let log_before = w.log_count().await;

    // A caseworker sees one thread per supplier the municipality has had a DPA with.
    let list = w.app.general_threads(&cw).await.expect("list");
    assert_eq!(list.len(), 3);
    let kc = list
        .iter()
        .find(|t| t.counterpart_name == "Kompetencecentret Øst ApS")
        .expect("expired supplier listed");
    assert!(!kc.open, "the DPA has expired");
    assert!(list.iter().all(|t| t.messages == 0));

    // The thread is for matters that concern no citizen: a CPR number is refused, and
    // sensitive terms need a confirmation.
    let cpr = w.demo.citizens[0].cpr.formatted();
    let with_cpr = format!("Gælder {cpr}: kan I tage flere?");
    let r = w
        .app
        .send_general_message(&cw, mentorhuset, &with_cpr, &[], None)
        .await;
    assert_eq!(r.map_err(code).err(), Some("general_thread_cpr"));
    let sensitive = "Vi har flere borgere med misbrug i næste kvartal.";
    let r = w
        .app
        .send_general_message(&cw, mentorhuset, sensitive, &[], None)
        .await;
    assert_eq!(r.map_err(code).err(), Some("guard_confirmation_required"));
    let r = w
        .app
        .send_general_message(&cw, mentorhuset, "   ", &[], None)
        .await;
    assert_eq!(r.map_err(code).err(), Some("message_empty"));
    assert!(
        w.app
            .general_thread(&supplier, municipality)
            .await
            .expect("thread")
            .messages
            .is_empty(),
        "nothing refused was stored"
    );

    w.app
        .send_general_message(
            &cw,
            mentorhuset,
            sensitive,
            &[],
            Some("Kapacitetsplanlægning, ingen enkeltpersoner nævnt"),
        )
        .await
        .expect("confirmed");
    let unread = w.app.general_threads(&supplier).await.expect("list");
    assert_eq!(unread.len(), 1, "the supplier sees its municipality");
    assert_eq!(unread[0].counterpart_id, municipality);
    assert_eq!((unread[0].messages, unread[0].unread), (1, 1));

    // The supplier reads and replies with a file; the caseworker's colleague reads it too.
    let t = w
        .app
        .general_thread(&supplier, municipality)
        .await
        .expect("thread");
    assert_eq!(t.messages.len(), 1);
    assert_eq!(t.messages[0].body, sensitive);
    assert!(t.messages[0].new_for_me);
    assert_eq!(t.messages[0].delivery, "Leveret i Skjold, krypteret");
    assert_eq!(
        t.messages[0].content_hash,
        hex::encode(Sha256::digest(
            [t.messages[0].id.as_bytes().as_slice(), sensitive.as_bytes()].concat()
        ))
    );
    let pdf = b"%PDF-1.7\n% Kapacitet\n".to_vec();
    w.app
        .send_general_message(
            &supplier,
            municipality,
            "Vi har plads til fire. Oversigt vedhæftet.",
            &[Upload {
                filename: "kapacitet.pdf".into(),
                bytes: pdf.clone(),
            }],
            None,
        )
        .await
        .expect("reply");
    let seen = w.app.general_threads(&supplier).await.expect("list");
    assert_eq!(seen[0].unread, 0, "read and replied");
    let t = w
        .app
        .general_thread(&cw2, mentorhuset)
        .await
        .expect("a colleague stands in");
    assert_eq!(t.messages.len(), 2);
    assert_eq!(t.messages[0].reads.len(), 1, "read by the supplier");
    assert_eq!(t.messages[1].recipients, "Kommunens sagsbehandlere");
    let file = &t.messages[1].attachments[0];
    assert_eq!(file.filename, "kapacitet.pdf");
    let got = w
        .app
        .general_attachment(&cw, file.id)
        .await
        .expect("download");
    assert_eq!(got.bytes, pdf);

    // Nobody else: another supplier, the privacy officer, another thread's attachment.
    let other = w.actor("praktikpartner").await;
    for who in ["praktikpartner", "dpo", "admin"] {
        let a = w.actor(who).await;
        assert_eq!(
            w.app
                .general_attachment(&a, file.id)
                .await
                .map_err(code)
                .err(),
            Some(if who == "praktikpartner" {
                "attachment_not_found"
            } else {
                "role_not_allowed"
            }),
            "{who}"
        );
    }
    assert_eq!(
        w.app
            .general_thread(&other, mentorhuset)
            .await
            .map_err(code)
            .err(),
        Some("thread_not_found"),
        "a supplier is not a municipality"
    );
    assert_eq!(
        w.app
            .general_thread(&w.actor("dpo").await, mentorhuset)
            .await
            .map_err(code)
            .err(),
        Some("role_not_allowed")
    );
    let other_thread = w
        .app
        .general_thread(&other, municipality)
        .await
        .expect("its own thread");
    assert!(other_thread.messages.is_empty(), "threads are per supplier");
    // An expired DPA: the supplier is out, the municipality keeps the history read-only.
    let expired = w.actor("kompetencecentret").await;
    assert_eq!(
        w.app
            .general_thread(&expired, municipality)
            .await
            .map_err(code)
            .err(),
        Some("dpa_not_in_force")
    );
    let kc = w.org("Kompetencecentret Øst ApS");
    assert!(!w.app.general_thread(&cw, kc).await.expect("history").open);
    assert_eq!(
        w.app
            .send_general_message(&cw, kc, "Er I der?", &[], None)
            .await
            .map_err(code)
            .err(),
        Some("dpa_not_in_force")
    );

    // Every view, message and refusal is in the access log, with no citizen.
    let log = w
        .app
        .access_log(&w.actor("dpo").await, &OversightQuery::default())
        .await
        .expect("log")
        .entries;
    let general: Vec<_> = log
        .iter()
        .filter(|e| e.purpose == "Kommunikation med leverandøren")
        .collect();
    assert!(general.len() >= 10, "{}", general.len());
    assert!(general.iter().all(|e| e.subject_id.is_none()));
    assert!(general.iter().any(|e| !e.allowed));
    // The confirmation is sealed with the message; the log says only that there was one.
    assert!(
        general
            .iter()
            .any(|e| e.detail.contains("sendt trods vagtens advarsel"))
    );
    assert!(
        general
            .iter()
            .all(|e| !e.detail.contains("Kapacitetsplanlægning"))
    );
    assert!(w.log_count().await > log_before);
    w.done().await;
}

async fn notices_travel_over_tls(backend: Backend) {
    use skjold_app::notify::{Notifier, SmtpNotifier};
    let w = World::new(backend, 4).await;
    let pki = crate::common::tls::pki();
    let (port, inbox) = crate::common::smtp::tls_sink(pki.server.clone()).await;
    let url = format!("smtps://localhost:{port}");
    let from = "skjold@kommune.example";
    let link = "https://skjold.kommune.example";
    let supplier = w.actor("mentorhuset").await;
    w.db.store
        .directory()
        .set_notify_email(supplier.user_id, Some("torben@mentorhuset.example"))
        .await
        .expect("email");
    let cw = w.actor("sagsbehandler").await;

    // Without the municipality's CA the relay's certificate is not trusted: no notice.
    let untrusted = SmtpNotifier::new(&url, from, link, None).expect("notifier");
    let app = w
        .app
        .clone()
        .with_notifier(Notifier::Smtp(Box::new(untrusted)));
    app.send_general_message(&cw, supplier.controller_id, "Første besked.", &[], None)
        .await
        .expect("the message is stored even when the notice fails");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        crate::common::smtp::wait_for(&inbox, 0).await.is_empty(),
        "no notice over untrusted TLS"
    );

    let trusted =
        SmtpNotifier::new(&url, from, link, Some(pki.ca_pem.as_bytes())).expect("notifier");
    let app = w
        .app
        .clone()
        .with_notifier(Notifier::Smtp(Box::new(trusted)));
    app.send_general_message(&cw, supplier.controller_id, "Anden besked.", &[], None)
        .await
        .expect("send");
    let mails = crate::common::smtp::wait_for(&inbox, 1).await;
    assert_eq!(mails.len(), 1, "one notice, over TLS");
    assert_eq!(mails[0].to, ["torben@mentorhuset.example"]);
    assert!(mails[0].data.contains("Subject: Ny besked i Skjold"));
    assert!(!mails[0].data.contains("Anden besked"));
    w.done().await;
}

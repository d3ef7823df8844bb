//! The walls of DESIGN.md, tried where a review found them open: need-to-know between
//! units (and the stand-in access that opens a case with a reason), the guard over
//! attachments and every written CPR number, what a confirmed send records, the supplier's
//! access after an order closes, free text sealed where erasure must reach, and user names
//! unique regardless of case.

use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::common::files;
use crate::common::http::{call, router};
use crate::common::{NOW, World};
use skjold_app::AppError;
use skjold_app::data_requests::FieldDecisionInput;
use skjold_app::oversight::OversightQuery;
use skjold_app::threads::uploads::Upload;
use skjold_core::Problem;
use skjold_core::disclosures::DisclosureKind;
use skjold_core::oversight::UseKind;
use skjold_core::{FieldKey, Role};
use skjold_store::{Backend, Db};

crate::on_both_backends!(
    other_units_get_not_found_until_they_stand_in,
    the_guard_reads_attachments,
    the_general_thread_refuses_every_written_cpr_number,
    closing_ends_the_suppliers_access,
    free_text_is_sealed_where_erasure_reaches,
    user_names_are_unique_regardless_of_case,
);

fn code(e: AppError) -> &'static str {
    e.code()
}

/// A Nord order for citizen `i` with health disclosed, a message with an attachment and an
/// open data request: something of everything a caseworker works with.
async fn worked_order(w: &World, i: usize) -> Uuid {
    let cw = w.actor("sagsbehandler").await;
    let citizen = &w.demo.citizens[i];
    w.search(&cw, citizen).await;
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    w.app
        .disclose(&cw, order, "health", "Mentoren skal kende skånehensyn")
        .await
        .expect("disclose");
    let mentor = w.actor("mentorhuset").await;
    w.app
        .send_message_with(
            &mentor,
            order,
            &format!("Vi har mødt {}.", citizen.name),
            &[Upload {
                filename: "referat.txt".into(),
                bytes: format!("Referat: {} var glad.", citizen.name).into_bytes(),
            }],
            None,
        )
        .await
        .expect("supplier message");
    w.app
        .request_data(
            &mentor,
            order,
            &["address".into()],
            "Mentoren skal hente borgeren hjemme",
        )
        .await
        .expect("request");
    order
}

async fn other_units_get_not_found_until_they_stand_in(backend: Backend) {
    let w = World::new(backend, 6).await;
    let router = router(&w);
    let cw = w.actor("sagsbehandler").await;
    let syd = w.actor("sagsbehandler2").await;
    let citizen = w.demo.citizens[1].clone();
    let order = worked_order(&w, 1).await;
    let thread = w.app.thread(&cw, order).await.expect("thread");
    let attachment = thread.messages[0].attachments[0].id;
    let request = thread.requests[0].id;

    // Through the app: every way into the order says "not found".
    assert_eq!(
        w.app
            .caseworker_order(&syd, order)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app.thread(&syd, order).await.map_err(code).err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app.attachment(&syd, attachment).await.map_err(code).err(),
        Some("attachment_not_found")
    );
    assert_eq!(
        w.app
            .disclose(&syd, order, "address", "Mentoren skal hente borgeren")
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app
            .decide_request(&syd, request, &[FieldDecisionInput::approve("address", "")])
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app
            .send_message(&syd, order, "Hej", None)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app.close_order(&syd, order).await.map_err(code).err(),
        Some("order_not_found")
    );
    assert!(
        w.app
            .open_requests(&syd)
            .await
            .expect("requests")
            .is_empty(),
        "another unit's requests are not on the start page"
    );
    // And the citizen's record is closed without a search.
    assert_eq!(
        w.app.citizen(&syd, citizen.id).await.map_err(code).err(),
        Some("subject_not_found")
    );

    // Over HTTP, API and pages alike: 404, and nothing of the citizen.
    let token = w
        .app
        .create_api_token("sagsbehandler2", "test")
        .await
        .expect("token");
    let session = w
        .sign_in("sagsbehandler2", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let cookie = format!("skjold_session={}", session.token);
    for path in [
        format!("/api/v1/orders/{order}"),
        format!("/api/v1/orders/{order}/thread"),
        format!("/api/v1/attachments/{attachment}"),
        format!("/api/v1/citizens/{}", citizen.id),
    ] {
        let r = call(&router, Method::GET, &path, Some(&token), None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(!r.body.contains(&citizen.name), "{path}");
    }
    for path in [
        format!("/bestillinger/{order}"),
        format!("/borgere/{}", citizen.id),
        format!("/vedhaeftninger/{attachment}"),
    ] {
        let r = call(&router, Method::GET, &path, None, Some(&cookie), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.contains(&citizen.name), "{path}");
    }
    // The order page offers a stand-in access instead, for real and made-up ids alike.
    let page = call(
        &router,
        Method::GET,
        &format!("/bestillinger/{}", Uuid::new_v4()),
        None,
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("stedfortraeder"));
    let json = "application/json";
    for (path, body) in [
        (
            format!("/api/v1/orders/{order}/disclosures"),
            json!({"field": "address", "justification": "Mentoren skal hente borgeren"}),
        ),
        (
            format!("/api/v1/orders/{order}/messages"),
            json!({"body": "Hej"}),
        ),
        (format!("/api/v1/orders/{order}/close"), json!({})),
        (
            format!("/api/v1/data-requests/{request}/decision"),
            json!({"fields": [{"field": "address", "decision": "approve"}]}),
        ),
    ] {
        let r = call(
            &router,
            Method::POST,
            &path,
            Some(&token),
            None,
            Some((json, body.to_string())),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }

    // A search opens the citizen's record, not the other unit's order.
    w.search(&syd, &citizen).await;
    let view = w.app.citizen(&syd, citizen.id).await.expect("record");
    assert!(view.orders.iter().any(|o| o.id == order));
    assert_eq!(
        w.app
            .caseworker_order(&syd, order)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );

    // A stand-in access needs a written reason; then the order opens, marked as such.
    assert_eq!(
        w.app
            .open_stand_in(&syd, order, "syg")
            .await
            .map_err(code)
            .err(),
        Some("reason_required")
    );
    assert_eq!(
        w.app
            .open_stand_in(&cw, order, "Min egen bestilling")
            .await
            .map_err(code)
            .err(),
        Some("own_unit_order")
    );
    let r = call(
        &router,
        Method::POST,
        &format!("/api/v1/orders/{order}/stand-in"),
        Some(&token),
        None,
        Some((
            json,
            json!({"reason": "Rasmus er syg; praktikken skal bekræftes i dag"}).to_string(),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = w.app.caseworker_order(&syd, order).await.expect("stand-in");
    let stand_in = view.stand_in.expect("marked as a stand-in");
    w.app
        .decide_request(
            &syd,
            request,
            &[FieldDecisionInput::reject(
                "address",
                "Borgeren møder selv op i jobcentret",
            )],
        )
        .await
        .expect("decided as stand-in");
    let r = call(
        &router,
        Method::GET,
        &format!("/bestillinger/{order}"),
        None,
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("stedfortræder"));

    // Every entry it allowed names it.
    let dpo = w.actor("dpo").await;
    let log = w
        .app
        .access_log(
            &dpo,
            &OversightQuery {
                username: Some("sagsbehandler2".into()),
                ..OversightQuery::default()
            },
        )
        .await
        .expect("log")
        .entries;
    let on_order: Vec<_> = log
        .iter()
        .filter(|e| e.subject_id == Some(citizen.id) && e.allowed && e.use_kind != UseKind::Search)
        .collect();
    assert!(on_order.len() >= 3, "{on_order:?}");
    assert!(
        on_order
            .iter()
            .filter(|e| e.use_kind != UseKind::View || !e.detail.contains("Borgerens"))
            .all(|e| e.stand_in == Some(stand_in)),
        "{on_order:?}"
    );
    assert!(on_order.iter().any(|e| e.use_kind == UseKind::StandIn));

    // It waits on the privacy officer's start page until followed up.
    let follow = w.app.follow_up(&dpo).await.expect("follow-up");
    let s = follow
        .stand_ins
        .iter()
        .find(|s| s.id == stand_in)
        .expect("listed");
    assert_eq!(s.reason, "Rasmus er syg; praktikken skal bekræftes i dag");
    assert!(s.followed_up_at.is_none());
    assert_eq!(
        w.app
            .follow_up_stand_in(&w.actor("revisor").await, stand_in, "Set")
            .await
            .map_err(code)
            .err(),
        Some("role_not_allowed")
    );
    w.app
        .follow_up_stand_in(&dpo, stand_in, "Aftalt med lederen; i orden")
        .await
        .expect("followed up");
    let follow = w.app.follow_up(&dpo).await.expect("follow-up");
    let s = follow
        .stand_ins
        .iter()
        .find(|s| s.id == stand_in)
        .expect("still listed");
    assert_eq!(
        s.follow_up_note.as_deref(),
        Some("Aftalt med lederen; i orden")
    );
    let page = call(
        &router,
        Method::GET,
        "/tilsyn",
        None,
        Some(&format!(
            "skjold_session={}",
            w.sign_in("dpo", skjold_app::demo::DEMO_PASSWORD)
                .await
                .token
        )),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Rasmus er syg"));

    // A working day later it has closed again.
    w.clock
        .advance_seconds(skjold_core::access::STAND_IN_HOURS * 3600 + 1);
    assert_eq!(
        w.app
            .caseworker_order(&syd, order)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    assert_eq!(
        w.app.citizen(&syd, citizen.id).await.map_err(code).err(),
        Some("subject_not_found")
    );
    w.done().await;
}

/// A file of each readable type holding `text`.
fn documents(text: &str) -> Vec<Upload> {
    vec![
        Upload {
            filename: "notat.txt".into(),
            bytes: text.as_bytes().to_vec(),
        },
        Upload {
            filename: "notat.docx".into(),
            bytes: files::docx(text),
        },
        Upload {
            filename: "notat.odt".into(),
            bytes: files::odt(text),
        },
        Upload {
            filename: "notat.xlsx".into(),
            bytes: files::xlsx(text),
        },
        Upload {
            filename: "notat.pdf".into(),
            bytes: files::pdf(text),
        },
    ]
}

async fn the_guard_reads_attachments(backend: Backend) {
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    let order = worked_order(&w, 2).await;
    let mine = |t: &skjold_core::threads::ThreadView| {
        t.messages
            .iter()
            .filter(|m| m.sender == cw.display_name)
            .count()
    };
    let before = mine(&w.app.thread(&cw, order).await.expect("thread"));

    // Each readable type is read: a CPR number and a diagnosis stop the message.
    let secret = format!(
        "CPR {} har diabetes og tager insulin",
        citizen.cpr.formatted()
    );
    for file in documents(&secret) {
        let name = file.filename.clone();
        let r = w
            .app
            .send_message_with(&cw, order, "Se vedhæftede notat.", &[file], None)
            .await;
        match r {
            Err(AppError::Refused(Problem::GuardConfirmationRequired(stop))) => {
                assert_eq!(stop.cpr_numbers, 1, "{name}: {stop:?}");
                assert!(
                    stop.sensitive_terms.iter().any(|t| t.contains("diabetes")),
                    "{name}: {stop:?}"
                );
            }
            other => panic!("{name} passed the guard: {other:?}"),
        }
    }
    // An image's text cannot be read: it needs a confirmation too.
    let image = Upload {
        filename: "scanning.png".into(),
        bytes: files::png(),
    };
    let r = w
        .app
        .send_message_with(
            &cw,
            order,
            "Scanning vedhæftet.",
            std::slice::from_ref(&image),
            None,
        )
        .await;
    match r {
        Err(AppError::Refused(Problem::GuardConfirmationRequired(stop))) => {
            assert_eq!(stop.unreadable, ["scanning.png"], "{stop:?}");
        }
        other => panic!("an image passed the guard: {other:?}"),
    }
    assert_eq!(
        mine(&w.app.thread(&cw, order).await.expect("thread")),
        before,
        "nothing stopped was stored"
    );
    // A clean document goes without a word.
    for file in documents("Mødet flyttes til torsdag kl. 10 i lokale 4.") {
        w.app
            .send_message_with(&cw, order, "Ny tid.", &[file], None)
            .await
            .expect("a clean document passes");
    }

    // Confirmed, each send records what it disclosed.
    let pdf = Upload {
        filename: "notat.pdf".into(),
        bytes: files::pdf(&secret),
    };
    let with_pdf = w
        .app
        .send_message_with(
            &cw,
            order,
            "Notat vedhæftet.",
            &[pdf],
            Some("Mentoren skal kende behandlingen"),
        )
        .await
        .expect("confirmed");
    let with_image = w
        .app
        .send_message_with(
            &cw,
            order,
            "Scanning vedhæftet.",
            &[image],
            Some("Lægeerklæringen er nødvendig for forløbet"),
        )
        .await
        .expect("confirmed");
    // A body with special-category terms only: this recorded nothing before.
    let terms_only = w
        .app
        .send_message(
            &cw,
            order,
            "Borgeren har angst og skal have rolige omgivelser.",
            Some("Mentoren skal tilrettelægge møderne"),
        )
        .await
        .expect("confirmed");
    let view = w.app.caseworker_order(&cw, order).await.expect("order");
    for (message, found) in [
        (with_pdf, "CPR"),
        (with_image, "scanning.png"),
        (terms_only, "angst"),
    ] {
        let row = view
            .disclosures
            .iter()
            .find(|d| d.message_id == Some(message) && d.kind == DisclosureKind::Message)
            .unwrap_or_else(|| panic!("no ledger row for the message with {found}"));
        assert!(row.field.is_none());
        assert!(
            row.found.as_deref().is_some_and(|f| f.contains(found)),
            "{row:?}"
        );
        assert!(
            row.justification
                .as_deref()
                .is_some_and(|j| j.starts_with("Bekræftet ved afsendelse")),
            "{row:?}"
        );
    }
    // The CPR number in the PDF is the citizen's: it was not disclosed before, so it is
    // recorded as a disclosure of that field too.
    assert!(
        view.disclosures
            .iter()
            .any(|d| d.message_id == Some(with_pdf) && d.field == Some(FieldKey::Cpr))
    );
    let dpo = w.actor("dpo").await;
    let ledger = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries;
    assert!(
        ledger
            .iter()
            .any(|d| d.message_id == Some(terms_only) && d.kind == DisclosureKind::Message)
    );
    w.done().await;
}

async fn the_general_thread_refuses_every_written_cpr_number(backend: Backend) {
    let w = World::new(backend, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let mentorhuset = w.org("Mentorhuset ApS");
    let d = w.demo.citizens[0].cpr.digits();
    let wide: String = d
        .chars()
        .map(|c| char::from_u32(0xFF10 + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
        .collect();
    for written in [
        format!("{}-{}", &d[..6], &d[6..]),
        format!("{}.{}.{}-{}", &d[..2], &d[2..4], &d[4..6], &d[6..]),
        format!("{} {} {} {}", &d[..2], &d[2..4], &d[4..6], &d[6..]),
        format!("{}.{}", &d[..6], &d[6..]),
        format!(
            "{} {} {} {} {}",
            &d[..2],
            &d[2..4],
            &d[4..6],
            &d[6..8],
            &d[8..]
        ),
        format!("{}\u{2013}{}", &d[..6], &d[6..]),
        format!("{}－{}", &wide[..18], &wide[18..]),
        wide.clone(),
    ] {
        let r = w
            .app
            .send_general_message(&cw, mentorhuset, &format!("Gælder {written}."), &[], None)
            .await;
        assert_eq!(
            r.map_err(code).err(),
            Some("general_thread_cpr"),
            "{written}"
        );
    }
    // In an attachment too.
    let r = w
        .app
        .send_general_message(
            &cw,
            mentorhuset,
            "Liste vedhæftet.",
            &[Upload {
                filename: "liste.docx".into(),
                bytes: files::docx(&format!("Deltagere: {}", &d)),
            }],
            Some("Kapacitetsplanlægning, ingen enkeltpersoner"),
        )
        .await;
    assert_eq!(r.map_err(code).err(), Some("general_thread_cpr"));
    // Dates and times are not CPR numbers.
    w.app
        .send_general_message(
            &cw,
            mentorhuset,
            "Mødet er 01.12.2026 kl. 10.30-12.00, tlf. 33 66 33 66.",
            &[],
            None,
        )
        .await
        .expect("no CPR number here");
    w.done().await;
}

async fn closing_ends_the_suppliers_access(backend: Backend) {
    let w = World::new(backend, 6).await;
    let router = router(&w);
    let cw = w.actor("sagsbehandler").await;
    let mentor = w.actor("mentorhuset").await;
    let citizen = w.demo.citizens[3].clone();
    let order = worked_order(&w, 3).await;
    let attachment =
        w.app.thread(&mentor, order).await.expect("thread").messages[0].attachments[0].id;
    assert!(
        !w.app
            .supplier_order(&mentor, order)
            .await
            .expect("view")
            .fields
            .is_empty()
    );

    // Closing asks for a confirmation first.
    let session = w
        .sign_in("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let cookie = format!("skjold_session={}", session.token);
    let form = "application/x-www-form-urlencoded";
    let ask = call(
        &router,
        Method::GET,
        &format!("/bestillinger/{order}/afslut"),
        None,
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("mister"));
    let unconfirmed = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/afslut"),
        None,
        Some(&cookie),
        Some((form, format!("csrf={}", session.csrf))),
    )
    .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        w.app
            .supplier_order(&mentor, order)
            .await
            .expect("still open")
            .order
            .closing
            .is_none()
    );
    let closed = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/afslut"),
        None,
        Some(&cookie),
        Some((form, format!("csrf={}&confirm=yes", session.csrf))),
    )
    .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);

    // The supplier keeps the order's facts, and nothing of the citizen.
    let view = w.app.supplier_order(&mentor, order).await.expect("facts");
    assert!(view.fields.is_empty());
    let closing = view.order.closing.expect("closed");
    assert!(closing.deletion_confirmed_at.is_none());
    assert_eq!(
        w.app.thread(&mentor, order).await.map_err(code).err(),
        Some("order_closed_for_supplier")
    );
    assert_eq!(
        w.app
            .attachment(&mentor, attachment)
            .await
            .map_err(code)
            .err(),
        Some("order_closed_for_supplier")
    );
    assert_eq!(
        w.app
            .send_message(&mentor, order, "Hej", None)
            .await
            .map_err(code)
            .err(),
        Some("order_closed_for_supplier")
    );
    let mentor_session = w
        .sign_in("mentorhuset", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let mentor_cookie = format!("skjold_session={}", mentor_session.token);
    let page = call(
        &router,
        Method::GET,
        &format!("/leverandoer/bestillinger/{order}"),
        None,
        Some(&mentor_cookie),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bekræft sletning"));
    assert!(!page.body.contains(&citizen.name));
    let token = w
        .app
        .create_api_token("mentorhuset", "t")
        .await
        .expect("token");
    let api = call(
        &router,
        Method::GET,
        &format!("/api/v1/orders/{order}"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(!api.body.contains(&citizen.name));

    // Thirty days on, the missing confirmation is on the privacy officer's page.
    let dpo = w.actor("dpo").await;
    assert!(
        w.app
            .follow_up(&dpo)
            .await
            .expect("f")
            .overdue_deletions
            .is_empty()
    );
    w.clock.advance_seconds(31 * 86_400);
    let overdue = w.app.follow_up(&dpo).await.expect("f").overdue_deletions;
    assert_eq!(
        overdue.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![order]
    );
    let order_page = w.app.caseworker_order(&cw, order).await.expect("order");
    assert!(
        order_page
            .order
            .closing
            .as_ref()
            .is_some_and(|c| c.deletion_overdue(w.app.now().local_date()))
    );

    // The supplier confirms; once.
    let mentor_session = w
        .sign_in("mentorhuset", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let mentor_cookie = format!("skjold_session={}", mentor_session.token);
    let confirmed = call(
        &router,
        Method::POST,
        &format!("/leverandoer/bestillinger/{order}/sletning"),
        None,
        Some(&mentor_cookie),
        Some((form, format!("csrf={}&deleted=yes", mentor_session.csrf))),
    )
    .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.app
            .confirm_deletion(&mentor, order)
            .await
            .map_err(code)
            .err(),
        Some("deletion_confirmed")
    );
    assert!(
        w.app
            .follow_up(&dpo)
            .await
            .expect("f")
            .overdue_deletions
            .is_empty()
    );
    let closing = w
        .app
        .caseworker_order(&cw, order)
        .await
        .expect("order")
        .order
        .closing
        .expect("closed");
    assert_eq!(
        closing.deletion_confirmed_by.as_deref(),
        Some(mentor.display_name.as_str())
    );
    // Only the order's own supplier confirms, and only a closed order.
    let other = worked_order(&w, 4).await;
    assert_eq!(
        w.app
            .confirm_deletion(&mentor, other)
            .await
            .map_err(code)
            .err(),
        Some("order_open")
    );
    assert_eq!(
        w.app
            .confirm_deletion(&w.actor("praktikpartner").await, order)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    w.done().await;
}

async fn free_text_is_sealed_where_erasure_reaches(backend: Backend) {
    let w = World::new(backend, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let order = worked_order(&w, 1).await;
    w.app
        .send_message(
            &cw,
            order,
            "Hun har diabetes.",
            Some("Mentoren skal vide det"),
        )
        .await
        .expect("confirmed");
    let db = w.db.db().clone();
    let rows: Vec<(Option<String>, Option<Vec<u8>>, String)> = match &db {
        Db::Sqlite(p) => {
            sqlx::query_as("SELECT justification, justification_sealed, kind FROM disclosure")
                .fetch_all(p)
                .await
        }
        Db::Postgres(p) => {
            sqlx::query_as("SELECT justification, justification_sealed, kind FROM disclosure")
                .fetch_all(p)
                .await
        }
    }
    .expect("rows");
    assert!(rows.iter().all(|(clear, _, _)| clear.is_none()), "{rows:?}");
    assert!(
        rows.iter()
            .filter(|(_, _, kind)| kind != "automatic")
            .all(|(_, sealed, _)| sealed.is_some())
    );
    let confirmations: Vec<Option<Vec<u8>>> = match &db {
        Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT confirmation FROM message WHERE confirmation IS NOT NULL")
                .fetch_all(p)
                .await
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT confirmation FROM message WHERE confirmation IS NOT NULL")
                .fetch_all(p)
                .await
        }
    }
    .expect("confirmations");
    assert_eq!(confirmations.len(), 1);
    assert!(
        !String::from_utf8_lossy(confirmations[0].as_deref().unwrap_or_default())
            .contains("Mentoren")
    );

    // A ledger row written before justifications were sealed is sealed once, in place;
    // nothing else about a ledger row can change.
    let row: (Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, String) = match &db {
        Db::Sqlite(p) => sqlx::query_as("SELECT order_id, subject_id, supplier_id, datum_id, purpose_id, decided_by, legal_basis FROM disclosure WHERE field_key = 'health' AND order_id = $1").bind(order).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_as("SELECT order_id, subject_id, supplier_id, datum_id, purpose_id, decided_by, legal_basis FROM disclosure WHERE field_key = 'health' AND order_id = $1").bind(order).fetch_one(p).await,
    }
    .expect("row");
    let legacy = Uuid::new_v4();
    let insert = "INSERT INTO disclosure (id, controller_id, order_id, subject_id, supplier_id, field_key, datum_id, kind, \
                  justification, purpose_id, legal_basis, decided_by, at) VALUES ($1, $2, $3, $4, $5, 'phone', $6, 'manual', $7, $8, $9, $10, $11)";
    let clear = "Ældre begrundelse i klar tekst";
    macro_rules! legacy_insert {
        ($p:expr) => {
            sqlx::query(insert)
                .bind(legacy)
                .bind(cw.controller_id)
                .bind(row.0)
                .bind(row.1)
                .bind(row.2)
                .bind(row.3)
                .bind(clear)
                .bind(row.4)
                .bind(row.6.clone())
                .bind(row.5)
                .bind(NOW.micros())
                .execute($p)
                .await
                .map(|_| ())
        };
    }
    match &db {
        Db::Sqlite(p) => legacy_insert!(p),
        Db::Postgres(p) => legacy_insert!(p),
    }
    .expect("legacy row");
    assert_eq!(
        w.db.store
            .gate()
            .seal_legacy_justifications()
            .await
            .expect("sealed"),
        1
    );
    let after: (Option<String>, Option<Vec<u8>>) = match &db {
        Db::Sqlite(p) => {
            sqlx::query_as(
                "SELECT justification, justification_sealed FROM disclosure WHERE id = $1",
            )
            .bind(legacy)
            .fetch_one(p)
            .await
        }
        Db::Postgres(p) => {
            sqlx::query_as(
                "SELECT justification, justification_sealed FROM disclosure WHERE id = $1",
            )
            .bind(legacy)
            .fetch_one(p)
            .await
        }
    }
    .expect("row");
    assert!(after.0.is_none() && after.1.is_some());
    let view = w.app.caseworker_order(&cw, order).await.expect("order");
    let sealed = view
        .disclosures
        .iter()
        .find(|d| d.id == legacy)
        .unwrap_or_else(|| panic!("the legacy row is in the ledger: {:?}", view.disclosures));
    assert_eq!(sealed.justification.as_deref(), Some(clear));
    for sql in [
        "UPDATE disclosure SET justification_sealed = NULL",
        "UPDATE disclosure SET field_key = 'email' WHERE field_key = 'health'",
        "DELETE FROM disclosure",
    ] {
        let refused = match &db {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.is_err(),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.is_err(),
        };
        assert!(refused, "{sql}");
    }
    w.done().await;
}

async fn user_names_are_unique_regardless_of_case(backend: Backend) {
    let w = World::new(backend, 2).await;
    let nord = w.org("Jobcenter København Nord");
    let password = "en lang nok adgangskode";
    w.app
        .add_user(
            None,
            nord,
            "Anna.Berg",
            "Anna Berg",
            Role::Caseworker,
            password,
        )
        .await
        .expect("first");
    for taken in ["anna.berg", "ANNA.BERG", "Anna.Berg"] {
        assert_eq!(
            w.app
                .add_user(None, nord, taken, "Anna Berg", Role::Caseworker, password)
                .await
                .map_err(code)
                .err(),
            Some("username_taken"),
            "{taken}"
        );
    }
    assert_eq!(
        w.app
            .add_user(None, nord, "SAGSBEHANDLER", "X", Role::Caseworker, password)
            .await
            .map_err(code)
            .err(),
        Some("username_taken")
    );
    // Signing in does not depend on case either.
    let session = w.sign_in("ANNA.berg", password).await;
    assert_eq!(session.actor.username, "Anna.Berg");
    w.done().await;
}

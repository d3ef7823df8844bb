//! The citizen's own view, end to end over HTTP: a citizen signs in through an identity
//! provider the test starts (the MitID stand-in, over real HTTP), sees exactly the items,
//! recipients and log entries the records hold about them and nothing of anyone else,
//! files every kind of request and follows one to its letter, gives and withdraws a
//! consent; every view is logged with the citizen as the actor.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::common::World;
use crate::common::http::html_escape;
use skjold_core::oversight::{LogFilter, UseKind};
use skjold_core::rights::{CaseStatus, RightKind};
use skjold_core::{FieldKey, Problem};
use skjold_store::Backend;

crate::on_both_backends!(a_citizen_sees_exactly_their_own_records);
crate::on_both_backends!(a_citizen_files_every_kind_of_request_and_reads_the_answer);
crate::on_both_backends!(a_citizen_gives_and_withdraws_a_consent);
crate::on_both_backends!(only_known_citizens_with_a_fresh_answer_sign_in);

/// The demo person the tests sign in as: the first citizen, with a mentor order whose
/// health data went by a caseworker's decision.
const PERSON: usize = 0;

async fn mentor_order(w: &World, citizen: usize) -> Uuid {
    let cw = w.actor("sagsbehandler").await;
    let c = w.demo.citizens[citizen].clone();
    w.search(&cw, &c).await;
    let order = w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await;
    w.app
        .disclose(
            &cw,
            order,
            "health",
            "Mentoren skal kende skånehensyn i forløbet",
        )
        .await
        .expect("disclose");
    order
}

async fn a_citizen_sees_exactly_their_own_records(backend: Backend) {
    let mut w = World::new(backend, 6).await;
    mentor_order(&w, PERSON).await;
    mentor_order(&w, 1).await;
    let provider = w.citizen_provider().await;
    let (me, _) = w.citizen_browser(&provider, PERSON).await;
    let me = me.expect("signed in");
    let cw = w.actor("sagsbehandler").await;
    let mine = w
        .app
        .citizen(&cw, w.demo.citizens[PERSON].id)
        .await
        .expect("record");
    let theirs = w
        .app
        .citizen(&cw, w.demo.citizens[1].id)
        .await
        .expect("record");
    let subject = w.demo.citizens[PERSON].id;

    // My data: every item, once, grouped; nothing of the other citizen.
    let data = me.get("/borger/oplysninger").await;
    assert_eq!(data.status, StatusCode::OK);
    assert_eq!(
        data.body
            .matches("class=\"skjold-card\" data-field=")
            .count(),
        mine.data.len(),
        "{}",
        data.body
    );
    for d in &mine.data {
        assert!(data.body.contains(&html_escape(&d.value)), "{:?}", d.field);
    }
    // The other citizen's distinctive values (not ones both happen to share).
    for d in theirs
        .data
        .iter()
        .filter(|d| d.value.chars().count() >= 8 && !mine.data.iter().any(|m| m.value == d.value))
    {
        assert!(!data.body.contains(&html_escape(&d.value)), "{:?}", d.field);
    }
    assert!(data.body.contains("Hjemmel"), "legal basis shown");

    // Who got it: exactly the ledger's rows, by supplier and field, with the reason.
    let dpo = w.actor("dpo").await;
    let ledger =
        w.db.store
            .gate()
            .ledger(
                &dpo,
                &LogFilter {
                    subject_id: Some(subject),
                    limit: 1000,
                    ..LogFilter::default()
                },
                w.app.now(),
            )
            .await
            .expect("ledger")
            .entries;
    let recipients = me.get("/borger/modtagere").await;
    assert_eq!(recipients.status, StatusCode::OK);
    assert!(recipients.body.contains("Mentorhuset ApS"));
    assert_eq!(
        recipients.body.matches("<li><strong>").count(),
        ledger.len(),
        "{}",
        recipients.body
    );
    for e in &ledger {
        match e.field {
            Some(field) => assert!(recipients.body.contains(&html_escape(field.danish()))),
            // The order's content, sent with it as free text.
            None => assert_eq!(e.kind, skjold_core::disclosures::DisclosureKind::Message),
        }
    }
    assert!(recipients.body.contains("Mentoren skal kende skånehensyn"));
    // No staff names: the caseworker's name appears on none of the citizen's pages.
    let log = me.get("/borger/log").await;
    assert_eq!(log.status, StatusCode::OK);
    for page in [&data, &recipients, &log] {
        assert!(!page.body.contains(&cw.display_name), "{}", page.body);
    }

    // Who looked: every log entry about me by others, and the check against the signed
    // checkpoint holds.
    let entries = w.db.store.audit().citizen_log(subject).await.expect("log");
    let by_others = entries
        .iter()
        .filter(|e| e.use_kind != UseKind::SelfService)
        .count();
    assert!(by_others >= 3, "{by_others}");
    assert_eq!(
        log.body.matches("skjold-card skjold-card-compact").count(),
        by_others,
        "{}",
        log.body
    );
    assert!(
        log.body
            .contains("alert-success\" role=\"status\" id=\"log-check\"")
    );
    assert!(log.body.contains("Jobcenter"), "the organisation is named");

    // Each opening was logged with the citizen as the actor: no staff member, no
    // organisation.
    let rows =
        w.db.store
            .audit()
            .export_log(
                &LogFilter {
                    subject_id: Some(subject),
                    ..LogFilter::default()
                },
                None,
                w.app.now(),
            )
            .await
            .expect("export");
    let own: Vec<_> = rows
        .entries
        .iter()
        .filter(|e| e.entry.use_kind == UseKind::SelfService.key())
        .collect();
    assert_eq!(
        own.len(),
        5,
        "the sign-in, my data, my notices, who got it, who looked"
    );
    assert!(
        own.iter()
            .all(|e| e.entry.user_id.is_none() && e.entry.organisation_id.is_none())
    );
    // Titles are short plain text: no markup, no name, no CPR number.
    let name = mine.value(FieldKey::Name).expect("name");
    for path in [
        "/borger/",
        "/borger/oplysninger",
        "/borger/modtagere",
        "/borger/log",
        "/borger/anmodninger",
        "/borger/anmodninger/ny",
        "/borger/samtykker",
    ] {
        let page = me.get(path).await;
        let title = page.title().expect("title");
        assert!(
            !title.contains('<') && !title.contains(name) && title.len() < 80,
            "{path}: {title}"
        );
    }
    // English on request.
    let english = me.get("/borger/sprog/en").await;
    assert_eq!(english.status, StatusCode::SEE_OTHER);
    w.done().await;
}

/// Files a request over the form; the reply's status.
async fn file(me: &crate::common::actors::Caller, fields: &[(&str, &str)]) -> StatusCode {
    me.post_form("/borger/anmodninger", fields).await.status
}

async fn a_citizen_files_every_kind_of_request_and_reads_the_answer(backend: Backend) {
    let mut w = World::new(backend, 6).await;
    mentor_order(&w, PERSON).await;
    let provider = w.citizen_provider().await;
    let me = w
        .citizen_browser(&provider, PERSON)
        .await
        .0
        .expect("signed in");
    let subject = w.demo.citizens[PERSON].id;
    let cw = w.actor("sagsbehandler").await;
    let record = w.app.citizen(&cw, subject).await.expect("record");
    let phone = record
        .data
        .iter()
        .find(|d| d.field == FieldKey::Phone)
        .expect("phone")
        .id
        .to_string();

    // A rectification without the item is refused on the form, kept as typed.
    let refused = me
        .post_form(
            "/borger/anmodninger",
            &[
                ("kind", "rectification"),
                ("description", "Mit nummer er forkert"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Mit nummer er forkert"));

    let requests: [&[(&str, &str)]; 7] = [
        &[
            ("kind", "access"),
            ("wish", "my_data_in_a_case"),
            ("description", "Mentorforløbet"),
        ],
        &[
            ("kind", "rectification"),
            ("item", &phone),
            ("description", "Mit nummer er 20 30 40 50"),
        ],
        &[
            ("kind", "erasure"),
            ("ground", "no_longer_needed"),
            ("description", "Forløbet er slut"),
        ],
        &[
            ("kind", "restriction"),
            ("item", &phone),
            ("description", "Brug ikke nummeret"),
        ],
        &[
            ("kind", "portability"),
            ("description", "Mine oplysninger som fil"),
        ],
        &[
            ("kind", "objection"),
            ("description", "Min særlige situation: jeg er flyttet"),
        ],
        &[
            ("kind", "automated_decision"),
            ("description", "Jeg vil have en person til at se på sagen"),
        ],
    ];
    for fields in requests {
        assert_eq!(file(&me, fields).await, StatusCode::SEE_OTHER, "{fields:?}");
    }
    let dpo = w.actor("dpo").await;
    let cases = w.app.rights_cases(&dpo).await.expect("cases");
    let mine: Vec<_> = cases.iter().collect();
    assert_eq!(mine.len(), 7);
    for kind in RightKind::ALL {
        assert!(mine.iter().any(|c| c.kind == kind), "{kind:?}");
    }
    // Received today, identity checked by the MitID sign-in, a month to answer.
    let access = mine
        .iter()
        .find(|c| c.kind == RightKind::Access)
        .expect("access");
    let view = w.app.rights_case(&dpo, access.id).await.expect("case");
    assert_eq!(view.summary.received_on, w.app.now().local_date());
    assert!(
        view.identity_method
            .as_deref()
            .is_some_and(|m| m.contains("MitID"))
    );
    assert_eq!(
        view.summary.due,
        skjold_core::rights::deadline(w.app.now().local_date())
    );
    // The ground the citizen chose for the erasure leads its description.
    let erasure = mine
        .iter()
        .find(|c| c.kind == RightKind::Erasure)
        .expect("erasure");
    let view = w.app.rights_case(&dpo, erasure.id).await.expect("case");
    assert!(
        view.description.starts_with("Grundlag: "),
        "{}",
        view.description
    );
    assert!(view.description.ends_with("Forløbet er slut"));
    // The disputed number is restricted while the rectification is looked into.
    let record = w.app.citizen(&cw, subject).await.expect("record");
    assert!(!record.data.iter().any(|d| d.field == FieldKey::Phone));

    // The list shows them all, with deadlines, none answered yet.
    let list = me.get("/borger/anmodninger").await;
    assert_eq!(list.body.matches("data-reference=").count(), 7);
    assert!(!list.body.contains("/svar\""));

    // The privacy officer answers the access request; the citizen reads the letter.
    w.app
        .decide_rights_case(
            &dpo,
            access.id,
            &skjold_app::rights::DecisionInput {
                outcome: "granted".into(),
                reasons: "Du har ret til indsigt i dine oplysninger.".into(),
                ..Default::default()
            },
        )
        .await
        .expect("decide");
    w.app
        .review_rights_answer(&dpo, access.id)
        .await
        .expect("review");
    w.app
        .send_rights_answer(&dpo, access.id)
        .await
        .expect("send");
    let list = me.get("/borger/anmodninger").await;
    let link = format!("/borger/anmodninger/{}/svar", access.id);
    assert!(list.body.contains(&link), "{}", list.body);
    let letter = me.get(&link).await;
    assert_eq!(letter.status, StatusCode::OK);
    assert_eq!(letter.headers["content-type"], "application/pdf");
    let sent = w.letters.sent().pop().expect("letter sent");
    assert_eq!(letter.body.len(), String::from_utf8_lossy(&sent.pdf).len());
    let case = w.app.rights_case(&dpo, access.id).await.expect("case");
    assert_eq!(case.summary.status, CaseStatus::Answered);

    // The objection is weighed, and the letter says how.
    let objection = mine
        .iter()
        .find(|c| c.kind == RightKind::Objection)
        .expect("objection");
    let unweighed = w
        .app
        .decide_rights_case(
            &dpo,
            objection.id,
            &skjold_app::rights::DecisionInput {
                outcome: "granted".into(),
                reasons: "Din særlige situation går forud.".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(
            unweighed,
            Err(skjold_app::AppError::Refused(
                Problem::Required(_) | Problem::TooShort { .. }
            ))
        ),
        "{unweighed:?}"
    );
    w.app
        .decide_rights_case(
            &dpo,
            objection.id,
            &skjold_app::rights::DecisionInput {
                outcome: "granted".into(),
                reasons: "Din særlige situation går forud.".into(),
                assessment: skjold_app::rights::AssessmentInput {
                    situation: "Borgeren er flyttet og har hemmelig adresse".into(),
                    grounds: "Kommunen har ingen vægtige grunde, der går forud".into(),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .expect("decide the objection");
    w.app
        .send_rights_answer(&dpo, objection.id)
        .await
        .expect("send");
    let letter = w.letters.sent().pop().expect("letter");
    let text = pdf_extract::extract_text_from_mem(&letter.pdf).expect("text");
    assert!(text.contains("hemmelig adresse"), "{text}");
    assert!(text.contains("vægtige"), "{text}");

    // The automated decision: all three yes and the decision stands only on an exception.
    let automated = mine
        .iter()
        .find(|c| c.kind == RightKind::AutomatedDecision)
        .expect("automated");
    let mut three_yes = skjold_app::rights::DecisionInput {
        outcome: "refused".into(),
        reasons: "Afgørelsen bygger på en lov med garantier.".into(),
        assessment: skjold_app::rights::AssessmentInput {
            decision: "yes".into(),
            solely_automated: "yes".into(),
            significant_effects: "yes".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(matches!(
        w.app
            .decide_rights_case(&dpo, automated.id, &three_yes)
            .await,
        Err(skjold_app::AppError::Refused(
            Problem::Art22ExceptionRequired
        ))
    ));
    three_yes.assessment.exception = "law".into();
    three_yes.assessment.safeguards = "Du kan få afgørelsen prøvet af en sagsbehandler".into();
    w.app
        .decide_rights_case(&dpo, automated.id, &three_yes)
        .await
        .expect("decide");
    let view = w.app.rights_case(&dpo, automated.id).await.expect("case");
    assert!(view.assessment.as_ref().is_some_and(|a| a.art22_applies()));

    // Portability reaches data on consent: given on consent, it is delivered as JSON and
    // CSV to the citizen, and to no one else.
    let admin = w.api("admin").await;
    let purpose = admin
        .post_json(
            "/api/v1/purposes",
            &serde_json::json!({"name": "Nyhedsbrev om jobtilbud", "art6": "6.1.a",
                                "retention": "Til samtykket trækkes tilbage"}),
        )
        .await;
    assert_eq!(purpose.status, StatusCode::OK, "{}", purpose.body);
    w.app
        .record_citizen_item(
            &cw,
            subject,
            &skjold_app::citizens::ItemInput {
                field: "email".into(),
                value: "nyhedsbrev@example.dk".into(),
                source: "Borgeren".into(),
                purpose: "Nyhedsbrev om jobtilbud".into(),
            },
        )
        .await
        .expect("item on consent");
    let portability = mine
        .iter()
        .find(|c| c.kind == RightKind::Portability)
        .expect("portability");
    w.app
        .decide_rights_case(
            &dpo,
            portability.id,
            &skjold_app::rights::DecisionInput {
                outcome: "granted".into(),
                reasons: "Du får de oplysninger, du har givet os med samtykke.".into(),
                ..Default::default()
            },
        )
        .await
        .expect("decide");
    w.app
        .send_rights_answer(&dpo, portability.id)
        .await
        .expect("send");
    let json = me
        .get(&format!("/borger/anmodninger/{}/data/json", portability.id))
        .await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let delivered: serde_json::Value = serde_json::from_str(&json.body).expect("json");
    let items = delivered["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "only the item on consent: {delivered}");
    assert_eq!(items[0]["value"], "nyhedsbrev@example.dk");
    let csv = me
        .get(&format!("/borger/anmodninger/{}/data/csv", portability.id))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("field,label,value,source,purpose,collected_at")
    );
    assert!(csv.body.contains("nyhedsbrev@example.dk"));
    let other_format = me
        .get(&format!("/borger/anmodninger/{}/data/xml", portability.id))
        .await;
    assert_eq!(other_format.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only a granted portability case delivers data.
    assert_eq!(
        me.get(&format!("/borger/anmodninger/{}/data/json", access.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Another citizen cannot read it, nor see the cases.
    let other = w.citizen_browser(&provider, 1).await.0.expect("signed in");
    assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .get(&format!("/borger/anmodninger/{}/data/json", portability.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let theirs = other.get("/borger/anmodninger").await;
    assert_eq!(theirs.body.matches("data-reference=").count(), 0);
    w.done().await;
}

async fn a_citizen_gives_and_withdraws_a_consent(backend: Backend) {
    let mut w = World::new(backend, 4).await;
    let provider = w.citizen_provider().await;
    let me = w
        .citizen_browser(&provider, PERSON)
        .await
        .0
        .expect("signed in");
    let subject = w.demo.citizens[PERSON].id;
    let page = me.get("/borger/samtykker").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("frivilligt"),
        "the registry's text: {}",
        page.body
    );
    assert!(page.body.contains("data-channel=\"sms\""));
    let given = me.post_form("/borger/samtykker/sms/giv", &[]).await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    // Giving twice is refused; the first stands.
    let again = me.post_form("/borger/samtykker/sms/giv", &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &w.demo.citizens[PERSON].clone()).await;
    let consents = w.app.consents(&cw, subject).await.expect("consents");
    assert_eq!(consents.len(), 1);
    assert!(consents[0].in_force(w.app.now()));
    assert!(
        consents[0].notice_version.parse::<Uuid>().is_ok(),
        "the text's version"
    );
    // The citizen's page shows it in force, with the text they agreed to.
    let page = me.get("/borger/samtykker").await;
    assert!(page.body.contains("tilbagekald"));
    assert!(page.body.contains("consent-history"));

    let withdrawn = me.post_form("/borger/samtykker/sms/tilbagekald", &[]).await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    assert!(withdrawn.body.contains("id=\"withdrawal\""));
    assert!(withdrawn.body.contains("Ingen modtagere"));
    let consents = w.app.consents(&cw, subject).await.expect("consents");
    assert!(!consents[0].in_force(w.app.now()), "withdrawn at once");
    // The privacy officer, working a request of the citizen's, sees the proof.
    let filed = me
        .post_form(
            "/borger/anmodninger",
            &[
                ("kind", "objection"),
                ("description", "Jeg vil ikke have påmindelser"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER);
    let dpo_actor = w.actor("dpo").await;
    let case = w.app.rights_cases(&dpo_actor).await.expect("cases")[0].id;
    let dpo = w.browser("dpo", skjold_app::demo::DEMO_PASSWORD).await;
    let page = dpo.get(&format!("/rettigheder/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Givet af borgeren selv i Skjold efter log-ind med MitID"),
        "{}",
        page.body
    );
    // Nothing left to withdraw.
    let again = me.post_form("/borger/samtykker/sms/tilbagekald", &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // A channel that does not exist.
    let bad = me.post_form("/borger/samtykker/brevdue/giv", &[]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A form without the session's token is refused.
    let forged = crate::common::http::call(
        &crate::common::http::router(&w),
        axum::http::Method::POST,
        "/borger/samtykker/email/giv",
        None,
        None,
        Some(("application/x-www-form-urlencoded", "csrf=x".into())),
    )
    .await;
    assert_eq!(
        forged.status,
        StatusCode::SEE_OTHER,
        "no session: to the sign-in"
    );
    w.done().await;
}

async fn only_known_citizens_with_a_fresh_answer_sign_in(backend: Backend) {
    let mut w = World::new(backend, 3).await;
    let provider = w.citizen_provider().await;
    // The provider vouches for someone the municipality holds nothing about.
    let unknown = w.demo.citizens.len();
    let (caller, page) = w.citizen_browser(&provider, unknown).await;
    assert!(caller.is_none());
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.body.contains("ingen oplysninger om dig"),
        "{}",
        page.body
    );
    // Signed out, the citizen's pages lead to the sign-in.
    let router = crate::common::http::router(&w);
    let home = crate::common::http::call(
        &router,
        axum::http::Method::GET,
        "/borger/",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.headers["location"], "/borger/login");
    // A staff sign-in's state never finishes a citizen's.
    assert!(matches!(
        w.app
            .citizen_sso_finish(
                "x",
                "x",
                "kode",
                &crate::common::workstation("10.0.0.1", "d")
            )
            .await,
        Err(skjold_app::AppError::Refused(Problem::SsoRefused))
    ));
    w.done().await;
}

crate::on_both_backends!(the_privacy_officer_writes_consent_texts_from_the_checklist);

/// The consent registry: a text is written from the checklist and the template, refused
/// while the checklist fails; a new version is what citizens are offered from then on,
/// and the registry counts the consents each version carries.
async fn the_privacy_officer_writes_consent_texts_from_the_checklist(backend: Backend) {
    let mut w = World::new(backend, 3).await;
    let provider = w.citizen_provider().await;
    let dpo = w.browser("dpo", skjold_app::demo::DEMO_PASSWORD).await;
    let page = dpo.get("/tilsyn/samtykker").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("data-version=").count(),
        2,
        "the demo's two texts"
    );
    // An imbalance of power that nothing offsets: refused, with what was typed kept.
    let refused = dpo
        .post_form(
            "/tilsyn/samtykker",
            &[
                ("channel", "sms"),
                ("right_basis", "yes"),
                ("not_a_condition", "yes"),
                ("imbalance", "yes"),
                ("retention", "sletter vi det straks"),
                ("recipients", "Kommunens sms-tjeneste"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Kommunens sms-tjeneste"));
    let written = dpo
        .post_form(
            "/tilsyn/samtykker",
            &[
                ("channel", "sms"),
                ("right_basis", "yes"),
                ("not_a_condition", "yes"),
                ("imbalance", "yes"),
                (
                    "imbalance_offset",
                    "Påmindelser er en ekstra service uden følger for et nej",
                ),
                ("retention", "sletter vi det straks"),
                ("recipients", "Kommunens sms-tjeneste"),
            ],
        )
        .await;
    assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.body);
    // The citizen is offered the new version, and consents to it.
    let me = w.citizen_browser(&provider, 0).await.0.expect("signed in");
    let offer = me.get("/borger/samtykker").await;
    assert!(
        offer.body.contains("Kommunens sms-tjeneste"),
        "{}",
        offer.body
    );
    assert_eq!(
        me.post_form("/borger/samtykker/sms/giv", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let registry = dpo.get("/tilsyn/samtykker").await;
    assert!(
        registry.body.contains("1 givet, 0 trukket tilbage"),
        "{}",
        registry.body
    );
    // The auditor reads the registry, without the form; no one else writes consent texts.
    let auditor = w.browser("revisor", skjold_app::demo::DEMO_PASSWORD).await;
    let read = auditor.get("/tilsyn/samtykker").await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("Skriv ny version"));
    let tried = auditor
        .post_form(
            "/tilsyn/samtykker",
            &[("channel", "sms"), ("right_basis", "yes")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    let cw = w
        .browser("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        cw.get("/tilsyn/samtykker").await.status,
        StatusCode::FORBIDDEN
    );
    w.done().await;
}

crate::on_both_backends!(notices_are_given_postponed_or_exempted_and_the_citizen_sees_the_given);

/// The duty to inform: the caseworker gives the notice for a purpose (art. 14 when the
/// data came from others, naming the source), postpones one with a reason and a date, or
/// records an exception; the citizen sees the notice given and nothing of the others.
async fn notices_are_given_postponed_or_exempted_and_the_citizen_sees_the_given(backend: Backend) {
    let mut w = World::new(backend, 3).await;
    mentor_order(&w, PERSON).await;
    let provider = w.citizen_provider().await;
    let subject = w.demo.citizens[PERSON].id;
    let cw = w
        .browser("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let actor = w.actor("sagsbehandler").await;
    let purpose = w.app.purposes(&actor).await.expect("purposes")[0].clone();
    let path = format!("/borgere/{subject}/underretning");
    let purpose_id = purpose.id.to_string();
    // A postponement needs its reason and a date ahead.
    let refused = cw
        .post_form(
            &path,
            &[
                ("purpose", &purpose_id),
                ("status", "postponed"),
                ("until", "2027-01-15"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let past = cw
        .post_form(
            &path,
            &[
                ("purpose", &purpose_id),
                ("status", "postponed"),
                ("until", "2020-01-01"),
                ("reason", "En undersøgelse af socialt bedrageri pågår"),
            ],
        )
        .await;
    assert_eq!(
        past.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        past.body
    );
    for fields in [
        vec![("purpose", purpose_id.as_str()), ("status", "given")],
        vec![
            ("purpose", purpose_id.as_str()),
            ("status", "postponed"),
            ("until", "2027-01-15"),
            ("reason", "En undersøgelse af socialt bedrageri pågår"),
        ],
    ] {
        let done = cw.post_form(&path, &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let notices = w.app.notices(&actor, subject).await.expect("notices");
    assert_eq!(notices.len(), 2);
    let given = notices
        .iter()
        .find(|n| n.status == skjold_core::citizen_view::NoticeStatus::Given)
        .expect("given");
    // The demo's data comes from others than the citizen: art. 14, with the source.
    assert_eq!(
        given.article,
        skjold_core::citizen_view::NoticeArticle::Art14
    );
    for part in [
        purpose.name.as_str(),
        "Datatilsynet",
        "Signe Winther",
        "kommer fra",
    ] {
        assert!(given.text.contains(part), "{part}: {}", given.text);
    }
    // The citizen sees the given notice, not the postponed one.
    let me = w
        .citizen_browser(&provider, PERSON)
        .await
        .0
        .expect("signed in");
    let page = me.get("/borger/oplysninger").await;
    assert_eq!(
        page.body.matches("data-article=").count(),
        1,
        "{}",
        page.body
    );
    assert!(page.body.contains("Datatilsynet"));
    assert!(!page.body.contains("socialt bedrageri"));
    w.done().await;
}

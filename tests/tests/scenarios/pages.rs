//! What every page carries outside its body: a `<title>` is short plain text that names no
//! citizen and holds no CPR number, no markup and no form token, for every page of every
//! role — also pages re-shown with an error, and pages whose thread holds such data.

use axum::http::{Method, StatusCode, header};
use uuid::Uuid;

use crate::common::World;
use crate::common::http::{Reply, call, multipart, router};
use skjold_store::Backend;

crate::on_both_backends!(titles_are_short_plain_text);

/// The longest title accepted, in characters (a tab shows about this much).
const MAX_TITLE: usize = 70;

/// Whether `text` holds ten digits in a row, allowing the separators people write
/// between the parts of a CPR number.
fn has_cpr_like(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 10 {
                return true;
            }
        } else if !matches!(c, '-' | ' ' | '.') {
            run = 0;
        }
    }
    false
}

struct Checked<'a> {
    names: &'a [String],
    csrf: &'a [String],
}

impl Checked<'_> {
    fn title(&self, who: &str, what: &str, reply: &Reply) {
        let is_html = reply
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            return;
        }
        let title = reply
            .title()
            .unwrap_or_else(|| panic!("{who} {what}: an HTML page without <title>"));
        let context = format!("{who} {what} ({}): «{title}»", reply.status);
        assert!(!title.trim().is_empty(), "empty title: {context}");
        assert!(
            title.chars().count() <= MAX_TITLE,
            "title too long: {context}"
        );
        assert!(
            !title.contains('<') && !title.contains('>'),
            "markup in title: {context}"
        );
        assert!(!title.contains('\n'), "several lines in title: {context}");
        assert!(!has_cpr_like(title), "CPR number in title: {context}");
        for name in self.names {
            let surname = name.split_whitespace().last().unwrap_or(name);
            assert!(
                !title.contains(name.as_str()) && !title.contains(surname),
                "citizen name in title: {context}"
            );
        }
        for token in self.csrf {
            assert!(
                !title.contains(token.as_str()),
                "form token in title: {context}"
            );
        }
    }
}

async fn titles_are_short_plain_text(backend: Backend) {
    let w = World::new(backend, 6).await;
    let router = router(&w);
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[1].clone();
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    // The thread holds what a title must never carry: the citizen's name and CPR number,
    // health text, and markup.
    w.app
        .send_message(
            &cw,
            order,
            &format!(
                "{} ({}) har diabetes <b>og</b> skal have pauser.",
                citizen.name,
                citizen.cpr.formatted()
            ),
            Some("Mentoren skal kende skånehensyn i forløbet"),
        )
        .await
        .expect("confirmed message");
    let mentor = w.actor("mentorhuset").await;
    w.app
        .request_data(
            &mentor,
            order,
            &["address".into()],
            "Mentoren skal besøge borgeren hjemme",
        )
        .await
        .expect("data request");
    let municipality = cw.controller_id;
    let mentorhuset = w.org("Mentorhuset ApS");
    // A breach whose description names the citizen: its page's title must not.
    let breach = w
        .app
        .report_breach(
            &mentor,
            Some(municipality),
            &skjold_core::breaches::BreachReport {
                detected_by: skjold_core::breaches::DetectedBy::Processor,
                processor_id: None,
                processor_aware_at: Some(w.app.now()),
                aware_at: w.app.now(),
                occurred_at: None,
                nature: vec![skjold_core::breaches::Nature::Confidentiality],
                description: format!(
                    "{} ({}) fik brev om sin diabetes",
                    citizen.name,
                    citizen.cpr.formatted()
                ),
                data_categories: vec![skjold_core::Category::Health],
                subject_categories: "Borgere i mentorforløb".into(),
                approx_persons: 1,
                approx_records: 1,
                contact_point: "Mentorhuset".into(),
                consequences: String::new(),
                measures: String::new(),
                high_risk: true,
                no_risk: false,
            },
        )
        .await
        .expect("breach");

    let users = [
        "admin",
        "sagsbehandler",
        "sagsbehandler2",
        "mentorhuset",
        "praktikpartner",
        "kompetencecentret",
        "dpo",
        "revisor",
    ];
    let mut sessions = Vec::new();
    for u in users {
        let s = w.sign_in(u, skjold_app::demo::DEMO_PASSWORD).await;
        sessions.push((u, format!("skjold_session={}", s.token), s.csrf));
    }
    let names: Vec<String> = w.demo.citizens.iter().map(|c| c.name.clone()).collect();
    let csrf: Vec<String> = sessions.iter().map(|(_, _, c)| c.clone()).collect();
    let check = Checked {
        names: &names,
        csrf: &csrf,
    };

    let pages = [
        "/".to_owned(),
        "/login".to_owned(),
        "/borgere".to_owned(),
        format!("/borgere/{}", citizen.id),
        format!(
            "/borgere/{}/bestil?service={}&supplier={mentorhuset}",
            citizen.id,
            w.service("DANSK")
        ),
        format!("/bestillinger/{order}"),
        "/leverandoer".to_owned(),
        format!("/leverandoer/bestillinger/{order}"),
        "/beskeder".to_owned(),
        format!("/beskeder/{mentorhuset}"),
        format!("/beskeder/{municipality}"),
        "/tilsyn/videregivelser".to_owned(),
        "/tilsyn/adgangslog".to_owned(),
        "/tilsyn/log-ind".to_owned(),
        "/admin".to_owned(),
        "/admin/sikkerhed".to_owned(),
        "/admin/gennemgang".to_owned(),
        // The privacy officer's desk.
        "/tilsyn".to_owned(),
        "/tilsyn/brud".to_owned(),
        format!("/tilsyn/brud/{breach}"),
        "/brud".to_owned(),
        "/tilsyn/fortegnelse".to_owned(),
        "/fortegnelse/anmeld".to_owned(),
        "/tilsyn/opbevaring".to_owned(),
        format!("/bestillinger/{}", Uuid::new_v4()),
        "/findes-ikke".to_owned(),
    ];
    let mut seen = 0;
    for (who, cookie, _) in &sessions {
        for page in &pages {
            let reply = call(&router, Method::GET, page, None, Some(cookie), None).await;
            check.title(who, page, &reply);
            seen += usize::from(reply.status == StatusCode::OK);
        }
    }
    // Signed out, too.
    for page in &pages {
        let reply = call(&router, Method::GET, page, None, None, None).await;
        check.title("anonymous", page, &reply);
    }
    assert!(seen >= 20, "too few pages answered 200: {seen}");

    // Pages re-shown with an error: the guard's stop offers the text back on the order
    // page, and a refused data request re-shows the supplier's page.
    let (_, cw_cookie, cw_csrf) = &sessions[1];
    let boundary = "skjoldgraense";
    let stopped = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/besked"),
        None,
        Some(cw_cookie),
        Some((
            "multipart/form-data; boundary=skjoldgraense",
            multipart(
                boundary,
                &[
                    ("csrf", cw_csrf),
                    (
                        "body",
                        &format!("CPR {} har misbrug af alkohol", citizen.cpr.formatted()),
                    ),
                ],
                None,
            ),
        )),
    )
    .await;
    assert_eq!(stopped.status, StatusCode::UNPROCESSABLE_ENTITY);
    check.title("sagsbehandler", "guard stop", &stopped);
    let (_, sup_cookie, sup_csrf) = &sessions[3];
    let refused = call(
        &router,
        Method::POST,
        &format!("/leverandoer/bestillinger/{order}/anmodning"),
        None,
        Some(sup_cookie),
        Some((
            "application/x-www-form-urlencoded",
            format!("csrf={sup_csrf}&field.phone=on&reason=kort"),
        )),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    check.title("mentorhuset", "refused request", &refused);
    w.done().await;
}

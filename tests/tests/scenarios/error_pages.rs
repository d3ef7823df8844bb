//! Pages for people, also when something is wrong: an address that is not there and a
//! malformed id in a page's path answer a Danish page with the layout and a way back (never
//! a parser's message), in the staff user's own layout when signed in; and the pages anyone
//! may read — the accessibility statement and the privacy notice for staff users — say what
//! they must.

use axum::http::{Method, StatusCode};

use crate::common::World;
use crate::common::http::{Reply, call, router};
use skjold_store::Backend;

crate::on_both_backends!(malformed_ids_and_unknown_addresses_answer_danish_pages);
crate::on_both_backends!(the_statement_and_the_privacy_notice_are_public);

/// Page routes with an id, called with one that is not an id.
const MALFORMED: &[(Method, &str)] = &[
    (Method::GET, "/borgere/ikke-et-id"),
    (Method::GET, "/bestillinger/123"),
    (Method::GET, "/leverandoer/bestillinger/abc"),
    (Method::GET, "/rettigheder/%20x"),
    (Method::GET, "/tilsyn/aftaler/nul"),
    (Method::GET, "/tilsyn/brud/1"),
    (Method::GET, "/vedhaeftninger/x"),
    (Method::GET, "/beskeder/x"),
    (Method::POST, "/admin/gennemgang/ikke-et-id"),
    (
        Method::POST,
        "/tilsyn/aftaler/x/underdatabehandlere/y/indsigelse",
    ),
];

fn assert_not_found_page(who: &str, what: &str, reply: &Reply) {
    let context = format!(
        "{who} {what} → {}: {}",
        reply.status,
        &reply.body[..reply.body.len().min(300)]
    );
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{context}");
    assert_eq!(
        reply.title(),
        Some("Siden findes ikke – Skjold"),
        "{context}"
    );
    assert!(reply.body.contains("<html lang=\"da\""), "{context}");
    assert!(reply.body.contains("Til forsiden"), "a way back: {context}");
    for parser in ["Invalid URL", "UUID", "parsing", "Cannot parse"] {
        assert!(!reply.body.contains(parser), "parser message: {context}");
    }
}

async fn malformed_ids_and_unknown_addresses_answer_danish_pages(backend: Backend) {
    let w = World::new(backend, 2).await;
    let router = router(&w);
    let admin = w.browser("admin", skjold_app::demo::DEMO_PASSWORD).await;
    let dpo = w.browser("dpo", skjold_app::demo::DEMO_PASSWORD).await;
    for (method, path) in MALFORMED {
        let what = format!("{method} {path}");
        // Anonymous: a malformed id names nothing.
        let anonymous = call(&router, method.clone(), path, None, None, None).await;
        if *method == Method::GET {
            // A page's session comes first: the anonymous are sent to sign in.
            assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{what}");
        } else {
            assert_not_found_page("anonymous", &what, &anonymous);
        }
    }
    // Signed in, on routes the role may use: the page, in the user's layout (their name,
    // their menu, signing out).
    for (caller, name, paths) in [
        (&dpo, "dpo", &["/tilsyn/aftaler/nul", "/tilsyn/brud/1"][..]),
        (&admin, "admin", &["/tilsyn/aftaler/nul"][..]),
    ] {
        for path in paths {
            let reply = caller.get(path).await;
            assert_not_found_page(name, path, &reply);
            assert!(
                reply.body.contains("action=\"/logout\""),
                "{name} {path}: the layout"
            );
            assert!(
                reply.body.contains("aria-label=\"Hovedmenu\""),
                "{name} {path}: the menu"
            );
        }
    }
    let reply = admin.post_form("/admin/gennemgang/ikke-et-id", &[]).await;
    assert_not_found_page("admin", "POST /admin/gennemgang/ikke-et-id", &reply);

    // An address that is not there: anonymous, a staff user (in their layout), the API
    // (its error shape), and under the citizen's pages (the citizen's page).
    for path in ["/findes-ikke", "/tilsyn/findes/ikke/heller"] {
        let anonymous = call(&router, Method::GET, path, None, None, None).await;
        assert_not_found_page("anonymous", path, &anonymous);
        let reply = dpo.get(path).await;
        assert_not_found_page("dpo", path, &reply);
        assert!(
            reply.body.contains("action=\"/logout\""),
            "dpo {path}: the layout"
        );
    }
    let api = call(
        &router,
        Method::GET,
        "/api/v1/findes-ikke",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.body.starts_with("{\"error\""), "{}", api.body);
    let citizen = call(
        &router,
        Method::GET,
        "/borger/findes-ikke",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(citizen.status, StatusCode::NOT_FOUND);
    assert!(citizen.body.contains("/borger/"), "{}", citizen.body);
    assert!(citizen.body.contains("findes ikke"), "{}", citizen.body);
    w.done().await;
}

async fn the_statement_and_the_privacy_notice_are_public(backend: Backend) {
    let w = World::new(backend, 1).await;
    let router = router(&w);
    let statement = call(&router, Method::GET, "/tilgaengelighed", None, None, None).await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    assert_eq!(statement.title(), Some("Tilgængelighedserklæring – Skjold"));
    for said in [
        "WCAG 2.1",
        "AA",
        "axe-core",
        "375 px",
        "Kendte mangler",
        "Digitaliseringsstyrelsen",
        "10 arbejdsdage",
        "Erklæringen er skrevet 1. december 2026",
    ] {
        assert!(statement.body.contains(said), "the statement says «{said}»");
    }
    let notice = call(&router, Method::GET, "/privatliv", None, None, None).await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.body);
    assert_eq!(
        notice.title(),
        Some("Privatlivsmeddelelse for medarbejdere – Skjold")
    );
    for said in [
        "Adgangsloggen",
        "Videregivelsesloggen",
        "Engangskode",
        "8 timer",
        "mindst 6 måneder",
        "artikel 6, stk. 1, litra c",
        "litra e",
        "databeskyttelsesloven",
        "databeskyttelsesrådgiver",
        "revisor",
        "Datatilsynet",
    ] {
        assert!(notice.body.contains(said), "the notice says «{said}»");
    }
    // The footers link to them, the citizen's too.
    let login = call(&router, Method::GET, "/login", None, None, None).await;
    assert!(login.body.contains("href=\"/tilgaengelighed\""));
    assert!(login.body.contains("href=\"/privatliv\""));
    let citizen = call(&router, Method::GET, "/borger/login", None, None, None).await;
    assert!(citizen.body.contains("href=\"/tilgaengelighed\""));
    // Signed in, in the user's own layout.
    let dpo = w.browser("dpo", skjold_app::demo::DEMO_PASSWORD).await;
    let reply = dpo.get("/privatliv").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("action=\"/logout\""));
    w.done().await;
}

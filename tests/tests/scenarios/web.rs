//! The HTTP boundary: an authorisation matrix over every role × endpoint × own/other
//! organisation × disclosed/undisclosed field × DPA in force/expired, plus CSRF, sign-in
//! and API error contracts. Runs the real router in-process, on SQLite and PostgreSQL.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::World;
use crate::common::http::{Reply, call, multipart, router};
use skjold_store::Backend;

crate::on_both_backends!(
    csrf_and_sign_in,
    api_contract,
    attachments_over_http,
    consent_and_reminder_forms,
);

async fn csrf_and_sign_in(backend: Backend) {
    let w = World::new(backend, 4).await;
    let router = router(&w);
    let dpo = w.actor("dpo").await;

    // Sign-in: the form carries a double-submit token.
    let page = call(&router, Method::GET, "/login", None, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let set_cookie = page
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Strict")
            && set_cookie.contains("Secure")
    );
    let login_token = set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_start_matches("skjold_login=")
        .to_owned();
    let login = |user: &str, pass: &str, token: &str| {
        format!("username={user}&password={pass}&login_csrf={token}")
    };
    let cookie = format!("skjold_login={login_token}");
    let form = "application/x-www-form-urlencoded";

    let wrong = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((form, login("sagsbehandler", "forkert", &login_token))),
    )
    .await;
    let unknown = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((form, login("ingen.bruger", "forkert", &login_token))),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.body.contains("Forkert brugernavn eller adgangskode")
            && unknown
                .body
                .contains("Forkert brugernavn eller adgangskode")
    );
    let forged = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((
            form,
            login(
                "sagsbehandler",
                skjold_app::demo::DEMO_PASSWORD,
                "forfalsket",
            ),
        )),
    )
    .await;
    assert!(forged.body.contains("udløbet") && forged.headers.get(header::LOCATION).is_none());
    let ok = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((
            form,
            login(
                "sagsbehandler",
                skjold_app::demo::DEMO_PASSWORD,
                &login_token,
            ),
        )),
    )
    .await;
    // The password leads on to the second factor, with a waiting cookie and no session.
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ok.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login/engangskode")
    );
    let set_cookie = |r: &Reply, name: &str| {
        r.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    };
    assert!(set_cookie(&ok, "skjold_session").is_none());
    let pending = set_cookie(&ok, "skjold_pending").expect("pending cookie");
    assert!(pending.contains("HttpOnly") && pending.contains("SameSite=Strict"));
    let pending = pending.split(';').next().unwrap_or_default().to_owned();
    let page = call(
        &router,
        Method::GET,
        "/login/engangskode",
        None,
        Some(&pending),
        None,
    )
    .await;
    let field_csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf in the code page")
        .to_owned();
    let forged_code = call(
        &router,
        Method::POST,
        "/login/engangskode",
        None,
        Some(&pending),
        Some((
            form,
            format!(
                "csrf=forfalsket&code={}",
                w.current_code("sagsbehandler").await
            ),
        )),
    )
    .await;
    assert!(
        forged_code.body.contains("udløbet")
            && set_cookie(&forged_code, "skjold_session").is_none()
    );
    let coded = call(
        &router,
        Method::POST,
        "/login/engangskode",
        None,
        Some(&pending),
        Some((
            form,
            format!(
                "csrf={field_csrf}&code={}",
                w.current_code("sagsbehandler").await
            ),
        )),
    )
    .await;
    assert_eq!(coded.status, StatusCode::SEE_OTHER, "{}", coded.body);
    let session = set_cookie(&coded, "skjold_session").expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    let session = session.split(';').next().unwrap_or_default().to_owned();

    // Every form needs the session's CSRF token; a forged one changes nothing.
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    let before = w
        .app
        .ledger(&dpo, &Default::default())
        .await
        .expect("ledger")
        .entries
        .len();
    let orders_before = w
        .app
        .orders(&cw, &Default::default())
        .await
        .expect("orders")
        .total;
    let body = format!(
        "csrf=forfalsket&subject_id={}&service_type_id={}&supplier_id={}&task=Mentorst%C3%B8tte&from=2026-12-01&until=2027-02-28&scope=4+timer+om+ugen",
        citizen.id,
        w.service("MENTOR"),
        w.org("Mentorhuset ApS")
    );
    let forged = call(
        &router,
        Method::POST,
        "/bestillinger",
        None,
        Some(&session),
        Some((form, body.clone())),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("sikkerhedsnøglen"));
    let missing = call(
        &router,
        Method::POST,
        "/bestillinger",
        None,
        Some(&session),
        Some((form, body.replace("csrf=forfalsket&", ""))),
    )
    .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.app
            .orders(&cw, &Default::default())
            .await
            .expect("orders")
            .total,
        orders_before
    );
    assert_eq!(
        w.app
            .ledger(&dpo, &Default::default())
            .await
            .expect("ledger")
            .entries
            .len(),
        before
    );

    // With the real token the same form places the order.
    let page = call(&router, Method::GET, "/borgere", None, Some(&session), None).await;
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf in page")
        .to_owned();
    let real = call(
        &router,
        Method::POST,
        "/bestillinger",
        None,
        Some(&session),
        Some((form, body.replace("forfalsket", &csrf))),
    )
    .await;
    assert_eq!(real.status, StatusCode::SEE_OTHER, "{}", real.body);
    assert_eq!(
        w.app
            .orders(&cw, &Default::default())
            .await
            .expect("orders")
            .total,
        orders_before + 1
    );

    // A bad CPR number is explained on the search page, in Danish.
    let bad = call(
        &router,
        Method::POST,
        "/borgere/soeg",
        None,
        Some(&session),
        Some((form, format!("csrf={csrf}&cpr=311390-1234"))),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("CPR-nummeret indeholder ikke en gyldig fødselsdato")
    );

    // Without a session, pages send you to sign in; the session ends at logout.
    let anon = call(&router, Method::GET, "/borgere", None, None, None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anon.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login")
    );
    let out = call(
        &router,
        Method::POST,
        "/logout",
        None,
        Some(&session),
        Some((form, format!("csrf={csrf}"))),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = call(&router, Method::GET, "/borgere", None, Some(&session), None).await;
    assert_eq!(
        after
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login")
    );
    w.done().await;
}

async fn api_contract(backend: Backend) {
    let w = World::new(backend, 4).await;
    let router = router(&w);
    let token = w
        .app
        .create_api_token("sagsbehandler", "test")
        .await
        .expect("token");
    let json = "application/json";

    let health = call(&router, Method::GET, "/healthz", None, None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    let doc = call(
        &router,
        Method::GET,
        "/api/v1/openapi.json",
        None,
        None,
        None,
    )
    .await;
    let doc: Value = serde_json::from_str(&doc.body).expect("openapi is JSON");
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}/disclosures",
        "/api/v1/citizens/search",
        "/api/v1/ledger/query",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }

    let no_token = call(&router, Method::GET, "/api/v1/me", None, None, None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    let bad_token = call(
        &router,
        Method::GET,
        "/api/v1/me",
        Some("skj_forkert"),
        None,
        None,
    )
    .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    let err: Value = serde_json::from_str(&bad_token.body).expect("json error");
    assert_eq!(err["error"]["code"], "unauthenticated");

    let me = call(&router, Method::GET, "/api/v1/me", Some(&token), None, None).await;
    let me: Value = serde_json::from_str(&me.body).expect("me");
    assert_eq!(me["username"], "sagsbehandler");
    assert_eq!(me["organisation_name"], "Jobcenter København Nord");

    for (body, status, code) in [
        (
            json!({ "cpr": "12" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_format",
        ),
        (
            json!({ "cpr": "320190-1234" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_impossible_date",
        ),
        (
            json!({ "cpr": "010190-1234" }),
            StatusCode::NOT_FOUND,
            "citizen_not_found",
        ),
        (
            json!({ "nope": 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request_body",
        ),
    ] {
        let r = call(
            &router,
            Method::POST,
            "/api/v1/citizens/search",
            Some(&token),
            None,
            Some((json, body.to_string())),
        )
        .await;
        assert_eq!(r.status, status, "{}", r.body);
        let e: Value = serde_json::from_str(&r.body).expect("json error");
        assert_eq!(e["error"]["code"], code);
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }

    // The whole story through the API.
    let citizen = w.demo.citizens[3].clone();
    let found = call(
        &router,
        Method::POST,
        "/api/v1/citizens/search",
        Some(&token),
        None,
        Some((json, json!({ "cpr": citizen.cpr.digits() }).to_string())),
    )
    .await;
    let found: Value = serde_json::from_str(&found.body).expect("found");
    assert_eq!(found["id"], citizen.id.to_string());
    let order = json!({ "subject_id": citizen.id, "service_type_id": w.service("PRAKTIK"), "supplier_id": w.org("Praktikpartner A/S") });
    let preview = call(
        &router,
        Method::POST,
        "/api/v1/orders/preview",
        Some(&token),
        None,
        Some((json, order.to_string())),
    )
    .await;
    let preview: Value = serde_json::from_str(&preview.body).expect("preview");
    assert_eq!(
        preview["plan"]["automatic"],
        json!(["name", "job_goal", "work_experience", "education"])
    );
    let mut place = order.clone();
    place["task"] = json!("Virksomhedspraktik i detailhandlen");
    place["period_from"] = json!("2026-12-01");
    place["period_to"] = json!("2027-02-28");
    place["scope"] = json!("30 timer om ugen");
    let placed = call(
        &router,
        Method::POST,
        "/api/v1/orders",
        Some(&token),
        None,
        Some((json, place.to_string())),
    )
    .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let id: Uuid = serde_json::from_str::<Value>(&placed.body)
        .ok()
        .and_then(|v| v["id"].as_str().and_then(|s| s.parse().ok()))
        .expect("order id");
    let never = call(
        &router,
        Method::POST,
        &format!("/api/v1/orders/{id}/disclosures"),
        Some(&token),
        None,
        Some((
            json,
            json!({ "field": "health", "justification": "Praktikværten skal vide det" })
                .to_string(),
        )),
    )
    .await;
    assert_eq!(never.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(never.body.contains("field_never_disclosed"));
    let ok = call(&router, Method::POST, &format!("/api/v1/orders/{id}/disclosures"), Some(&token), None, Some((json, json!({ "field": "cpr", "justification": "Praktikværten skal indberette til forsikring" }).to_string()))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    let supplier = w
        .app
        .create_api_token("praktikpartner", "test")
        .await
        .expect("token");
    let seen = call(
        &router,
        Method::GET,
        &format!("/api/v1/orders/{id}"),
        Some(&supplier),
        None,
        None,
    )
    .await;
    let seen: Value = serde_json::from_str(&seen.body).expect("supplier view");
    let fields: Vec<&str> = seen["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["name", "job_goal", "work_experience", "education", "cpr"]
    );
    w.done().await;
}

async fn attachments_over_http(backend: Backend) {
    let w = World::new(backend, 4).await;
    let router = router(&w);
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    w.search(&cw, &citizen).await;
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    let s = w
        .sign_in("mentorhuset", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let cookie = format!("skjold_session={}", s.token);
    let boundary = "skjoldgraense";
    let ct = format!("multipart/form-data; boundary={boundary}");
    let path = format!("/leverandoer/bestillinger/{order}/besked");
    let pdf = b"%PDF-1.7\n% plan\n";

    // The CSRF token comes first and must match, before any file is read.
    let forged = multipart(
        boundary,
        &[("csrf", "forfalsket"), ("body", "Plan vedhæftet")],
        Some(("plan.pdf", pdf)),
    );
    let r = call(
        &router,
        Method::POST,
        &path,
        None,
        Some(&cookie),
        Some((&ct, forged)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A page disguised as a PDF is refused, with the reason on the page.
    let html = multipart(
        boundary,
        &[("csrf", &s.csrf), ("body", "Se her")],
        Some(("plan.pdf", b"<html><script>x</script></html>")),
    );
    let r = call(
        &router,
        Method::POST,
        &path,
        None,
        Some(&cookie),
        Some((&ct, html)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ikke kan sendes"), "{}", r.body);
    assert!(
        w.app
            .thread(&cw, order)
            .await
            .expect("thread")
            .messages
            .is_empty()
    );

    let ok = multipart(
        boundary,
        &[("csrf", &s.csrf), ("body", "Plan vedhæftet")],
        Some(("plan.pdf", pdf)),
    );
    let r = call(
        &router,
        Method::POST,
        &path,
        None,
        Some(&cookie),
        Some((&ct, ok)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let thread = w.app.thread(&cw, order).await.expect("thread");
    let attachment = thread.messages[0].attachments[0].clone();
    assert_eq!(attachment.content_type, "application/pdf");

    // Downloads are attachments with the sniffed type, never inline.
    let cw_session = w
        .sign_in("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let r = call(
        &router,
        Method::GET,
        &format!("/vedhaeftninger/{}", attachment.id),
        None,
        Some(&format!("skjold_session={}", cw_session.token)),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let header = |name: header::HeaderName| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header(header::CONTENT_DISPOSITION).starts_with("attachment;"),
        "{}",
        header(header::CONTENT_DISPOSITION)
    );
    assert_eq!(header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(r.body.as_bytes(), pdf);
    let token = w
        .app
        .create_api_token("praktikpartner", "test")
        .await
        .expect("token");
    let other = call(
        &router,
        Method::GET,
        &format!("/api/v1/attachments/{}", attachment.id),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    w.done().await;
}

async fn consent_and_reminder_forms(backend: Backend) {
    let w = World::new(backend, 4).await;
    let outbox = std::env::temp_dir().join(format!("skjold-web-outbox-{}.jsonl", Uuid::new_v4()));
    let app = w.app.clone().with_reminder_provider(std::sync::Arc::new(
        skjold_app::reminders::FileProvider::new(&outbox),
    ));
    let router = skjold_web::router(app, skjold_web::WebConfig::default());
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    w.search(&cw, &citizen).await;
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    let s = w
        .sign_in("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let cookie = format!("skjold_session={}", s.token);
    let form = "application/x-www-form-urlencoded";
    let csrf = &s.csrf;
    let remind = format!(
        "csrf={csrf}&channel=sms&date=2026-12-01&time=10%3A00&place=Jobcentret%2C+lokale+2"
    );

    // Without consent the reminder is refused and nothing is sent.
    let r = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/paamindelse"),
        None,
        Some(&cookie),
        Some((form, remind.clone())),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("samtykke"));
    let short = format!("csrf={csrf}&channel=sms&notice_version=v1&evidence=kort");
    let r = call(
        &router,
        Method::POST,
        &format!("/borgere/{}/samtykke", citizen.id),
        None,
        Some(&cookie),
        Some((form, short)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let consent = format!(
        "csrf={csrf}&channel=sms&notice_version=sms-v1&evidence=Givet+mundtligt+ved+samtale+i+jobcentret"
    );
    let r = call(
        &router,
        Method::POST,
        &format!("/borgere/{}/samtykke", citizen.id),
        None,
        Some(&cookie),
        Some((form, consent)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = call(
        &router,
        Method::GET,
        &format!("/borgere/{}", citizen.id),
        None,
        Some(&cookie),
        None,
    )
    .await;
    assert!(page.body.contains("I kraft") && page.body.contains("sms-v1"));

    let r = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/paamindelse"),
        None,
        Some(&cookie),
        Some((form, remind.clone())),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sent = std::fs::read_to_string(&outbox).expect("outbox");
    assert_eq!(sent.lines().count(), 1);
    assert!(sent.contains(&citizen.phone) && sent.contains("01.12.2026 kl. 10:00"));

    // Withdrawn: the next reminder is refused.
    let r = call(
        &router,
        Method::POST,
        &format!("/borgere/{}/samtykke/sms/tilbagekald", citizen.id),
        None,
        Some(&cookie),
        Some((form, format!("csrf={csrf}"))),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/paamindelse"),
        None,
        Some(&cookie),
        Some((form, remind)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        std::fs::read_to_string(&outbox)
            .expect("outbox")
            .lines()
            .count(),
        1
    );
    let _ = std::fs::remove_file(&outbox);
    w.done().await;
}

//! Sign-in that resists attack (SA-3, SA-4, SA-6): blocking after repeated failures, the
//! second factor, recorded refusals, and the access review.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;

use crate::common::{NOW, World, totp_code, workstation};
use skjold_app::sign_in::SignIn;
use skjold_app::{App, AppError};
use skjold_core::sign_in::{BlockScope, SignInEvent, Workstation};
use skjold_core::sign_in::{SecuritySettings, SettingsInput};
use skjold_core::{Role, Timestamp};
use skjold_store::Backend;
use skjold_web::i18n::Lang;

const PASSWORD: &str = skjold_app::demo::DEMO_PASSWORD;

fn code(e: &AppError) -> &'static str {
    e.code()
}

async fn try_sign_in(
    app: &App,
    user: &str,
    password: &str,
    ws: &Workstation,
) -> Result<(), AppError> {
    app.sign_in(user, password, ws).await.map(|_| ())
}

/// The refusal of a sign-in that must fail.
async fn refused(app: &App, user: &str, password: &str, ws: &Workstation) -> AppError {
    try_sign_in(app, user, password, ws)
        .await
        .expect_err("sign-in refused")
}

async fn events(w: &World, kind: &str) -> Vec<SignInEvent> {
    w.db.store
        .sign_in()
        .sign_in_events(Timestamp(0), 10_000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

async fn lockout_blocks_user_id_and_workstation(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let a = workstation("10.0.0.1", "enhed-a");

    // Five wrong passwords for a real user, then the right one: refused like the others.
    for _ in 0..5 {
        let e = refused(app, "sagsbehandler", "forkert kode", &a).await;
        assert_eq!(code(&e), "bad_credentials");
    }
    let blocked = refused(app, "sagsbehandler", PASSWORD, &a).await;
    assert_eq!(code(&blocked), "bad_credentials");
    assert_eq!(events(&w, "failed").await.len(), 5);
    let attempts = events(&w, "blocked").await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].username, "sagsbehandler");
    assert_eq!(attempts[0].address, "10.0.0.1");
    assert!(attempts[0].user_id.is_some());

    // The user ID is blocked from every workstation; an unknown user ID is blocked the
    // same way, with the same answer.
    let b = workstation("10.0.0.2", "enhed-b");
    let elsewhere = refused(app, "sagsbehandler", PASSWORD, &b).await;
    let c = workstation("10.0.0.3", "enhed-c");
    for _ in 0..5 {
        refused(app, "ingen.bruger", "gæt", &c).await;
    }
    let unknown = refused(app, "ingen.bruger", "gæt", &c).await;
    assert_eq!(elsewhere.to_string(), unknown.to_string());
    assert_eq!(code(&elsewhere), code(&unknown));
    let store = w.db.store.sign_in();
    assert!(
        store
            .active_block(BlockScope::Username, "ingen.bruger", app.now())
            .await
            .expect("block")
            .is_some()
    );

    // Workstation c has failed five times too: a user who has not failed is refused there,
    // and signs in from another workstation.
    let e = refused(app, "mentorhuset", PASSWORD, &c).await;
    assert_eq!(code(&e), "bad_credentials");
    try_sign_in(app, "mentorhuset", PASSWORD, &b)
        .await
        .expect("other workstation");

    // The blocks live in the database: a second application over it (as after a restart)
    // refuses too.
    let restarted = App::new(w.db.store.clone(), w.clock.clone());
    assert!(
        try_sign_in(&restarted, "sagsbehandler", PASSWORD, &b)
            .await
            .is_err()
    );

    // After the block period (30 minutes) the right password and code sign in, which
    // clears the count.
    w.clock.advance_seconds(31 * 60);
    w.sign_in_from("sagsbehandler", PASSWORD, &b).await;
    for _ in 0..4 {
        refused(app, "sagsbehandler", "forkert", &b).await;
    }
    // Four are not five.
    w.sign_in_from("sagsbehandler", PASSWORD, &b).await;

    // Failures older than the window (24 hours) do not count.
    let d = workstation("10.0.0.4", "enhed-d");
    for _ in 0..4 {
        refused(app, "praktikpartner", "forkert", &d).await;
    }
    w.clock.advance_seconds(25 * 3600);
    refused(app, "praktikpartner", "forkert", &d).await;
    try_sign_in(app, "praktikpartner", PASSWORD, &d)
        .await
        .expect("old failures lapsed");
    w.done().await;
}

async fn administrator_unblocks_with_a_reason(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let admin = w.actor("admin").await;
    let caseworker = w.actor("sagsbehandler").await;
    let ws = workstation("10.1.0.1", "x");
    for _ in 0..5 {
        refused(app, "sagsbehandler", "forkert", &ws).await;
    }
    let block =
        w.db.store
            .sign_in()
            .active_block(BlockScope::Username, "sagsbehandler", app.now())
            .await
            .expect("query")
            .expect("blocked");
    assert_eq!(block.failures, 5);

    let refused = app.unblock(&caseworker, block.id, "jeg vil ind", &ws).await;
    assert_eq!(
        refused.map_err(|e| e.code()).err(),
        Some("role_not_allowed")
    );
    let short = app.unblock(&admin, block.id, "ok", &ws).await;
    assert_eq!(short.map_err(|e| e.code()).err(), Some("reason_required"));
    assert!(
        w.db.store
            .sign_in()
            .active_block(BlockScope::Username, "sagsbehandler", app.now())
            .await
            .expect("query")
            .is_some(),
        "a refused unblocking changes nothing"
    );

    app.unblock(
        &admin,
        block.id,
        "Brugeren ringede og er identificeret",
        &ws,
    )
    .await
    .expect("unblock");
    // The user ID is free again; the workstation's own block stands.
    let other = workstation("10.1.0.2", "y");
    try_sign_in(app, "sagsbehandler", PASSWORD, &other)
        .await
        .expect("unblocked");
    assert!(
        try_sign_in(app, "sagsbehandler", PASSWORD, &ws)
            .await
            .is_err()
    );
    let again = app.unblock(&admin, block.id, "igen igen", &ws).await;
    assert_eq!(again.map_err(|e| e.code()).err(), Some("block_not_active"));

    // The report shows the attempts, the block and who lifted it, and why.
    let dpo = w.actor("dpo").await;
    let report = app.sign_in_report(&dpo).await.expect("report");
    let lifted = report
        .blocks
        .iter()
        .find(|b| b.id == block.id)
        .expect("block listed");
    assert_eq!(lifted.lifted_by.as_deref(), Some("admin"));
    assert_eq!(
        lifted.lift_reason.as_deref(),
        Some("Brugeren ringede og er identificeret")
    );
    assert_eq!(
        report.events.iter().filter(|e| e.kind == "failed").count(),
        5
    );
    assert!(report.events.iter().any(|e| e.kind == "unblocked"));
    let supplier = w.actor("mentorhuset").await;
    assert_eq!(
        app.sign_in_report(&supplier)
            .await
            .map_err(|e| e.code())
            .err(),
        Some("role_not_allowed")
    );
    w.done().await;
}

async fn settings_in_range_or_nothing(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let admin = w.actor("admin").await;
    let ws = workstation("10.2.0.1", "");
    let before = app.security_settings().await.expect("settings");
    assert_eq!(before.lockout_threshold, 5);
    let input = |t: &str| SettingsInput {
        lockout_threshold: t.into(),
        lockout_window_hours: "24".into(),
        block_minutes: "45".into(),
        totp_roles: vec!["privacy_officer".into(), "administrator".into()],
    };
    for bad in ["2", "11", "fem", ""] {
        let e = app
            .set_security_settings(Some(&admin), &input(bad), &ws)
            .await
            .expect_err("refused");
        assert_eq!(e.code(), "lockout_threshold_range", "{bad}");
    }
    assert_eq!(app.security_settings().await.expect("settings"), before);
    let refusals = events(&w, "setting_refused").await;
    assert_eq!(refusals.len(), 4);
    assert_eq!(refusals[0].username, "admin");
    let dpo = w.actor("dpo").await;
    let e = app
        .set_security_settings(Some(&dpo), &input("3"), &ws)
        .await;
    assert_eq!(e.map_err(|e| e.code()).err(), Some("role_not_allowed"));

    let saved = app
        .set_security_settings(Some(&admin), &input("3"), &ws)
        .await
        .expect("in range");
    assert_eq!(saved.lockout_threshold, 3);
    assert_eq!(saved.block_minutes, 45);
    for _ in 0..3 {
        refused(app, "mentorhuset", "forkert", &ws).await;
    }
    let block =
        w.db.store
            .sign_in()
            .active_block(BlockScope::Username, "mentorhuset", app.now())
            .await
            .expect("query")
            .expect("three are enough now");
    assert_eq!(block.until, app.now().plus_seconds(45 * 60));
    w.done().await;
}

async fn second_factor_is_set_up_and_used_once(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let ws = workstation("10.3.0.1", "dpo-pc");
    let admin = w.actor("admin").await;
    let dpo = w.actor("dpo").await;

    // The demo set up the privacy officer's second factor. A lost phone: the administrator
    // resets it, and the officer sets up a new one at the next sign-in.
    app.reset_second_factor(&admin, dpo.user_id, &ws)
        .await
        .expect("reset");
    let SignIn::SecondFactor { token, enrol, .. } =
        app.sign_in("dpo", PASSWORD, &ws).await.expect("password")
    else {
        panic!("the privacy officer needs a second factor");
    };
    assert!(enrol);
    assert!(
        app.session(&token).await.expect("query").is_none(),
        "a waiting sign-in is no session"
    );
    let secret = app.enrolment(&token).await.expect("enrolment").secret;
    let e = app
        .second_factor(&token, "000000", &ws)
        .await
        .expect_err("refused");
    assert_eq!(e.code(), "bad_second_factor");
    let good = totp_code(&secret, app.now());
    let session = app
        .second_factor(&token, &good, &ws)
        .await
        .expect("set up")
        .session()
        .expect("signed in");
    assert_eq!(session.actor.username, "dpo");
    assert!(app.session(&session.token).await.expect("query").is_some());
    assert!(
        app.second_factor(&token, &good, &ws).await.is_err(),
        "the waiting sign-in is used up"
    );

    // The same code again, within its 30 seconds: refused as a replay, and recorded.
    let SignIn::SecondFactor { token, enrol, .. } =
        app.sign_in("dpo", PASSWORD, &ws).await.expect("password")
    else {
        panic!("second factor expected");
    };
    assert!(!enrol);
    let replay = app
        .second_factor(&token, &good, &ws)
        .await
        .expect_err("refused");
    assert_eq!(replay.code(), "bad_second_factor");
    let failed = events(&w, "second_factor_failed").await;
    assert!(
        failed
            .iter()
            .any(|e| e.detail == "engangskoden er allerede brugt")
    );
    w.clock.advance_seconds(30);
    let next = totp_code(&secret, app.now());
    app.second_factor(&token, &next, &ws)
        .await
        .expect("the next code works");

    // The administrator chooses the roles. A role left out keeps using the factor it has
    // set up, and without one signs in with the password alone.
    let input = SettingsInput {
        lockout_threshold: "5".into(),
        lockout_window_hours: "24".into(),
        block_minutes: "30".into(),
        totp_roles: vec!["administrator".into()],
    };
    app.set_security_settings(Some(&admin), &input, &ws)
        .await
        .expect("settings");
    assert!(matches!(
        app.sign_in("sagsbehandler", PASSWORD, &ws)
            .await
            .expect("password"),
        SignIn::SecondFactor { enrol: false, .. }
    ));
    app.reset_second_factor(&admin, dpo.user_id, &ws)
        .await
        .expect("reset");
    assert!(
        app.session(&session.token).await.expect("query").is_none(),
        "sessions end"
    );
    assert!(matches!(
        app.sign_in("dpo", PASSWORD, &ws).await.expect("password"),
        SignIn::Done(_)
    ));
    w.done().await;
}

async fn refusals_and_forged_cookies_are_recorded(backend: Backend) {
    let w = World::new(backend, 3).await;
    let router = skjold_web::router(w.app.clone(), skjold_web::WebConfig::default());
    let send = |method: Method, path: &str, cookie: Option<String>, bearer: Option<&str>| {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("x-forwarded-for", "192.0.2.7");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        router
            .clone()
            .oneshot(req.body(Body::empty()).expect("request"))
    };

    // Every page hands out a device cookie.
    let page = send(Method::GET, "/login", None, None)
        .await
        .expect("response");
    let cookies: Vec<String> = page
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    let device = cookies
        .iter()
        .find_map(|c| c.strip_prefix("skjold_device="))
        .and_then(|c| c.split(';').next())
        .expect("device cookie")
        .to_owned();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("skjold_device=") && c.contains("HttpOnly"))
    );

    // A forged session cookie: back to sign-in, nothing else, and recorded.
    let forged = format!(
        "skjold_session=forfalsket-{}; skjold_device={device}",
        "x".repeat(40)
    );
    let res = send(Method::GET, "/borgere", Some(forged), None)
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login");
    let rejected = events(&w, "session_rejected").await;
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].detail, "/borgere");
    assert!(!rejected[0].device.is_empty(), "the device is named");

    // A made-up API token.
    let res = send(Method::GET, "/api/v1/orders", None, Some("skj_opdigtet"))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(events(&w, "token_rejected").await.len(), 1);

    // A caseworker asking for the administration: refused, with user and workstation.
    let s = w.sign_in("sagsbehandler", PASSWORD).await;
    let cookie = format!("skjold_session={}; skjold_device={device}", s.token);
    let res = send(Method::GET, "/admin", Some(cookie), None)
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let refused = events(&w, "authorisation_refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].user_id, Some(s.actor.user_id));
    assert_eq!(refused[0].detail, "/admin");
    // Plain HTTP here, not behind a proxy: the forwarded address is not believed.
    assert_eq!(refused[0].address, "ukendt");
    w.done().await;
}

async fn access_review_suspends_the_unconfirmed(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let admin = w.actor("admin").await;
    let review = app.access_review(&admin).await.expect("review");
    assert_eq!(
        review.due(),
        0,
        "the demo's users were confirmed when created"
    );
    let caseworker = w.actor("sagsbehandler").await;
    assert_eq!(
        app.access_review(&caseworker)
            .await
            .map_err(|e| e.code())
            .err(),
        Some("role_not_allowed")
    );

    // Five and a half months on, everyone is due within 30 days.
    w.clock.set(NOW.plus_seconds(167 * 86_400));
    let review = app.access_review(&admin).await.expect("review");
    assert_eq!(review.due(), review.items.len());
    app.review_user(&admin, admin.user_id, true, "")
        .await
        .expect("own role");
    let dpo = w.actor("dpo").await;
    app.review_user(&admin, dpo.user_id, true, "fortsat DPO")
        .await
        .expect("confirm");
    let auditor = w.actor("revisor").await;
    let e = app.review_user(&admin, auditor.user_id, false, "").await;
    assert_eq!(e.map_err(|e| e.code()).err(), Some("note_required"));
    app.review_user(&admin, auditor.user_id, false, "revisionen er afsluttet")
        .await
        .expect("revoke");
    let ws = workstation("10.4.0.1", "");
    assert_eq!(
        refused(app, "revisor", PASSWORD, &ws).await.code(),
        "bad_credentials"
    );

    // Past six months, the server's daily run suspends whoever was not confirmed.
    let session = w.sign_in("sagsbehandler", PASSWORD).await;
    w.clock.set(NOW.plus_seconds(184 * 86_400));
    let suspended = app.suspend_overdue().await.expect("suspend");
    assert!(suspended >= 3, "caseworker and suppliers: {suspended}");
    assert_eq!(
        refused(app, "sagsbehandler", PASSWORD, &ws).await.code(),
        "bad_credentials"
    );
    assert!(app.session(&session.token).await.expect("query").is_none());
    assert!(
        w.db.store
            .directory()
            .actor_by_username("dpo")
            .await
            .expect("q")
            .is_some()
    );
    assert_eq!(app.suspend_overdue().await.expect("again"), 0);

    // Confirming reinstates; every decision is on record.
    w.clock.advance_seconds(3600);
    app.review_user(&admin, caseworker.user_id, true, "genbekræftet")
        .await
        .expect("reinstate");
    w.sign_in("sagsbehandler", PASSWORD).await;
    let review = app.access_review(&admin).await.expect("review");
    let kinds: Vec<(&str, Option<&str>)> = review
        .decisions
        .iter()
        .filter(|d| d.username == "sagsbehandler")
        .map(|d| (d.decision.as_str(), d.reviewer.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![("confirmed", Some("admin")), ("suspended", None)]
    );
    assert!(
        review
            .decisions
            .iter()
            .any(|d| d.username == "revisor" && d.decision == "revoked")
    );
    w.done().await;
}

/// `serve_tls` speaks HTTPS only, with HSTS, from the PEM files an operator gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_hsts() {
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;

    let w = World::new(Backend::Sqlite, 1).await;
    let pki = crate::common::tls::pki();
    let dir = std::env::temp_dir().join(format!("skjold-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &pki.server_cert_pem).expect("cert");
    std::fs::write(&key, &pki.server_key_pem).expect("key");
    assert!(
        skjold_web::tls_config(&key, &key).is_err(),
        "a key is no certificate"
    );
    let config = skjold_web::tls_config(&cert, &key).expect("tls config");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(skjold_web::serve_tls(
        listener,
        config,
        w.app.clone(),
        skjold_web::WebConfig::default(),
        async {
            let _ = stopped.await;
        },
    ));

    let mut roots = rustls::RootCertStore::empty();
    let ca = rustls::pki_types::CertificateDer::from_pem_slice(pki.ca_pem.as_bytes()).expect("ca");
    roots.add(ca).expect("root");
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let mut response = String::new();
    for _ in 0..50 {
        if let Ok(tcp) = tokio::net::TcpStream::connect(addr).await {
            let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
            let mut tls = connector.connect(name, tcp).await.expect("handshake");
            tls.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .expect("request");
            tls.read_to_string(&mut response).await.ok();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let lower = response.to_lowercase();
    assert!(lower.contains("strict-transport-security: max-age=31536000; includesubdomains"));
    assert!(lower.contains("skjold_device=") && lower.contains("; secure"));

    // Plain HTTP to the same port gets no page.
    let mut plain = tokio::net::TcpStream::connect(addr).await.expect("connect");
    plain
        .write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        plain.read_to_end(&mut answer),
    )
    .await;
    assert!(!String::from_utf8_lossy(&answer).contains("HTTP/1.1 200"));

    assert!(skjold_web::plain_http_allowed(
        &"127.0.0.1:8080".parse().expect("addr"),
        false
    ));
    assert!(skjold_web::plain_http_allowed(
        &"[::1]:8080".parse().expect("addr"),
        false
    ));
    assert!(!skjold_web::plain_http_allowed(
        &"0.0.0.0:8080".parse().expect("addr"),
        false
    ));
    assert!(skjold_web::plain_http_allowed(
        &"10.0.0.5:8080".parse().expect("addr"),
        true
    ));
    let _ = stop.send(());
    server.await.expect("join").expect("served");
    let _ = std::fs::remove_dir_all(&dir);
    w.done().await;
}

// ---- over HTTP ----------------------------------------------------------------------------

struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<(String, String)>,
    body: String,
}

impl Reply {
    /// The value a `Set-Cookie` of the reply gives `name`.
    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of the page's hidden field `name`.
    fn field(&self, name: &str) -> String {
        self.body
            .split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no field {name} in {}", self.body))
            .to_owned()
    }
}

async fn http(
    router: &axum::Router,
    method: Method,
    path: &str,
    cookies: &[(&str, &str)],
    form: Option<String>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    if !cookies.is_empty() {
        let jar: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        req = req.header(header::COOKIE, jar.join("; "));
    }
    let req = match form {
        Some(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f)),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next())
        .filter_map(|c| c.split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let body = axum::body::to_bytes(res.into_body(), 4 << 20)
        .await
        .expect("body");
    Reply {
        status,
        location,
        cookies,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The sign-in form with user name and password; the reply sends the browser on.
async fn post_login(router: &axum::Router, user: &str, password: &str) -> Reply {
    let page = http(router, Method::GET, "/login", &[], None).await;
    let token = page
        .cookie("skjold_login")
        .expect("login cookie")
        .to_owned();
    http(
        router,
        Method::POST,
        "/login",
        &[("skjold_login", &token)],
        Some(format!(
            "username={user}&password={password}&login_csrf={token}"
        )),
    )
    .await
}

/// A six-digit code as the second-factor page shows it.
fn spaced(code: &str) -> String {
    format!("{} {}", &code[..3], &code[3..])
}

// ---- second factor for everyone, passwords, and the demo's codes ---------------------------

async fn every_staff_role_needs_a_second_factor_by_default(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let ws = workstation("10.6.0.1", "");
    assert_eq!(SecuritySettings::default().totp_roles, Role::ALL.to_vec());
    let settings = app.security_settings().await.expect("settings");
    for role in Role::ALL {
        assert!(settings.requires_second_factor(role), "{role:?}");
    }

    // A caseworker and a supplier user without a second factor set one up before any
    // session starts; signing in with the password alone is refused.
    let admin = w.actor("admin").await;
    let password = "en lang nok adgangskode";
    for (username, role, org) in [
        (
            "ny.sagsbehandler",
            Role::Caseworker,
            "Jobcenter København Nord",
        ),
        ("ny.leverandoer", Role::SupplierUser, "Mentorhuset ApS"),
    ] {
        app.add_user(
            Some(&admin),
            w.org(org),
            username,
            "Ny Bruger",
            role,
            password,
        )
        .await
        .expect("user");
        let SignIn::SecondFactor { token, enrol, .. } = app
            .sign_in(username, password, &ws)
            .await
            .expect("password")
        else {
            panic!("{username} must use a second factor");
        };
        assert!(enrol, "{username} sets one up");
        assert!(app.session(&token).await.expect("query").is_none());
        let e = app.login(username, password).await.expect_err("refused");
        assert_eq!(e.code(), "second_factor_required");
    }

    // The demo's caseworker and supplier user have one set up: the code signs them in.
    for username in ["sagsbehandler", "mentorhuset"] {
        let SignIn::SecondFactor { token, enrol, .. } = app
            .sign_in(username, PASSWORD, &ws)
            .await
            .expect("password")
        else {
            panic!("{username} must use a second factor");
        };
        assert!(!enrol, "the demo set up {username}'s second factor");
        let code = w.current_code(username).await;
        let session = app
            .second_factor(&token, &code, &ws)
            .await
            .expect("code")
            .session()
            .expect("signed in");
        assert_eq!(session.actor.username, username);
    }
    w.done().await;
}

async fn users_change_their_own_password(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let ws = workstation("10.7.0.1", "");
    let cw = w.actor("sagsbehandler").await;
    let here = w.sign_in("sagsbehandler", PASSWORD).await;
    let elsewhere = w.sign_in("sagsbehandler", PASSWORD).await;
    let new = "en helt ny og lang adgangskode";
    let change = |current: &'static str, new: &'static str, repeat: &'static str| {
        app.change_password(&here.token, current, new, repeat, &ws)
    };

    // A wrong current password is refused, and counts as a failed sign-in (a second after
    // the sign-ins, from which failures count anew).
    w.clock.advance_seconds(1);
    let e = change("forkert", new, new).await.expect_err("refused");
    assert_eq!(e.code(), "wrong_current_password");
    assert_eq!(
        skjold_web::i18n::problem(e.problem().expect("a refusal"), Lang::Da),
        "Den nuværende adgangskode er forkert."
    );
    let failed = events(&w, "failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].user_id, Some(cw.user_id));
    assert_eq!(failed[0].username, "sagsbehandler");
    assert_eq!(failed[0].address, "10.7.0.1");
    let store = w.db.store.sign_in();
    assert_eq!(
        store
            .failures_since(BlockScope::Username, "sagsbehandler", Timestamp(0))
            .await
            .expect("count"),
        1
    );
    // A new password that will not do: too short, typed differently, or the old one.
    for (new, repeat, code) in [
        ("kort", "kort", "password_too_short"),
        (new, "en anden ny adgangskode", "password_mismatch"),
        (PASSWORD, PASSWORD, "password_unchanged"),
    ] {
        let e = change(PASSWORD, new, repeat).await.expect_err("refused");
        assert_eq!(e.code(), code);
    }
    assert!(app.session(&elsewhere.token).await.expect("q").is_some());
    assert!(events(&w, "password_changed").await.is_empty());

    // Changed: this session goes on, the other ends, the old password is refused.
    change(PASSWORD, new, new).await.expect("changed");
    assert!(app.session(&here.token).await.expect("q").is_some());
    assert!(
        app.session(&elsewhere.token).await.expect("q").is_none(),
        "the user's other sessions end"
    );
    let changed = events(&w, "password_changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].user_id, Some(cw.user_id));
    assert_eq!(changed[0].at, app.now());
    assert_eq!(
        refused(app, "sagsbehandler", PASSWORD, &ws).await.code(),
        "bad_credentials"
    );
    w.sign_in("sagsbehandler", new).await;

    // Guessing the current password from a session ends in a block like any sign-in.
    let tries = workstation("10.7.0.2", "");
    w.clock.advance_seconds(1);
    for _ in 0..5 {
        let e = app
            .change_password(
                &here.token,
                "gæt",
                "endnu en ny adgangskode",
                "endnu en ny adgangskode",
                &tries,
            )
            .await
            .expect_err("refused");
        assert_eq!(e.code(), "wrong_current_password");
    }
    let e = app
        .change_password(
            &here.token,
            new,
            "endnu en ny adgangskode",
            "endnu en ny adgangskode",
            &tries,
        )
        .await
        .expect_err("blocked");
    assert_eq!(e.code(), "sign_in_blocked");
    assert!(
        store
            .active_block(BlockScope::Username, "sagsbehandler", app.now())
            .await
            .expect("q")
            .is_some()
    );

    // The page: linked from every page's header, and its form needs the session's token.
    let router = skjold_web::router(app.clone(), skjold_web::WebConfig::default());
    let s = w.sign_in("mentorhuset", PASSWORD).await;
    let session = [("skjold_session", s.token.as_str())];
    let home = http(&router, Method::GET, "/leverandoer", &session, None).await;
    assert!(home.body.contains("href=\"/konto/adgangskode\""));
    let page = http(&router, Method::GET, "/konto/adgangskode", &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.field("csrf"), s.csrf);
    let form = |csrf: &str, current: &str| {
        format!(
            "csrf={csrf}&current_password={current}&new_password=mentorhusets+nye+kode&repeat_password=mentorhusets+nye+kode"
        )
    };
    let forged = http(
        &router,
        Method::POST,
        "/konto/adgangskode",
        &session,
        Some(form("forfalsket", PASSWORD)),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = http(
        &router,
        Method::POST,
        "/konto/adgangskode",
        &session,
        Some(form(&s.csrf, "forkert")),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Den nuværende adgangskode er forkert"));
    let ok = http(
        &router,
        Method::POST,
        "/konto/adgangskode",
        &session,
        Some(form(&s.csrf, PASSWORD)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ok.location.as_deref(),
        Some("/konto/adgangskode?ok=adgangskode")
    );
    let done = http(
        &router,
        Method::GET,
        "/konto/adgangskode?ok=adgangskode",
        &session,
        None,
    )
    .await;
    assert!(done.body.contains("Din adgangskode er skiftet"));
    w.sign_in("mentorhuset", "mentorhusets nye kode").await;
    w.done().await;
}

async fn administrator_forces_a_new_password(backend: Backend) {
    let w = World::new(backend, 3).await;
    let app = &w.app;
    let ws = workstation("10.8.0.1", "");
    let admin = w.actor("admin").await;
    let target = w.actor("mentorhuset").await;
    let before = w.sign_in("mentorhuset", PASSWORD).await;

    // Only an administrator, and not for their own account.
    let cw = w.actor("sagsbehandler").await;
    let e = app
        .require_password_reset(&cw, target.user_id, &ws)
        .await
        .expect_err("refused");
    assert_eq!(e.code(), "role_not_allowed");
    let e = app
        .require_password_reset(&admin, admin.user_id, &ws)
        .await
        .expect_err("refused");
    assert_eq!(e.code(), "own_password_reset");
    assert!(app.session(&before.token).await.expect("q").is_some());

    app.require_password_reset(&admin, target.user_id, &ws)
        .await
        .expect("required");
    assert!(
        app.session(&before.token).await.expect("q").is_none(),
        "the user's sessions end"
    );
    assert!(
        w.db.store
            .directory()
            .password_reset_required(target.user_id)
            .await
            .expect("q")
    );
    let recorded = events(&w, "password_reset_required").await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].username, "mentorhuset");
    assert_eq!(recorded[0].user_id, Some(admin.user_id));
    assert_eq!(recorded[0].detail, "krævet af admin");
    assert_eq!(recorded[0].at, app.now());

    // Password, then the second factor, then a wait for the new password: no session.
    let SignIn::SecondFactor { token, .. } = app
        .sign_in("mentorhuset", PASSWORD, &ws)
        .await
        .expect("password")
    else {
        panic!("second factor expected");
    };
    let code = w.current_code("mentorhuset").await;
    let SignIn::NewPassword { token, .. } =
        app.second_factor(&token, &code, &ws).await.expect("code")
    else {
        panic!("a new password is required first");
    };
    assert!(
        app.session(&token).await.expect("q").is_none(),
        "a waiting sign-in is no session"
    );
    assert!(
        app.second_factor(&token, &code, &ws).await.is_err(),
        "the wait for a new password takes no code"
    );
    assert_eq!(
        app.login("mentorhuset", PASSWORD)
            .await
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("second_factor_required")
    );
    for (new, repeat, code) in [
        ("kort", "kort", "password_too_short"),
        (PASSWORD, PASSWORD, "password_unchanged"),
        (
            "mentorhusets nye kode",
            "en anden kode helt",
            "password_mismatch",
        ),
    ] {
        let e = app
            .choose_new_password(&token, new, repeat, &ws)
            .await
            .expect_err("refused");
        assert_eq!(e.code(), code);
    }
    assert!(
        w.db.store
            .directory()
            .password_reset_required(target.user_id)
            .await
            .expect("q")
    );
    let new = "mentorhusets nye kode";
    let session = app
        .choose_new_password(&token, new, new, &ws)
        .await
        .expect("chosen");
    assert_eq!(session.actor.username, "mentorhuset");
    assert!(app.session(&session.token).await.expect("q").is_some());
    assert!(
        !w.db
            .store
            .directory()
            .password_reset_required(target.user_id)
            .await
            .expect("q")
    );
    assert!(
        app.pending_sign_in(&token).await.is_err(),
        "the wait is over"
    );
    assert_eq!(events(&w, "password_changed").await.len(), 1);
    assert_eq!(
        refused(app, "mentorhuset", PASSWORD, &ws).await.code(),
        "bad_credentials"
    );
    w.sign_in("mentorhuset", new).await;

    // The operator's `skjold user password` clears the requirement too.
    app.require_password_reset(&admin, target.user_id, &ws)
        .await
        .expect("required again");
    app.set_password("mentorhuset", "driftens nye adgangskode")
        .await
        .expect("set");
    assert!(
        !w.db
            .store
            .directory()
            .password_reset_required(target.user_id)
            .await
            .expect("q")
    );
    w.sign_in("mentorhuset", "driftens nye adgangskode").await;

    // Through the web: the button on the access review, then sign-in ends on the page for
    // the new password, whose waiting cookie is no session.
    let router = skjold_web::router(app.clone(), skjold_web::WebConfig::default());
    let a = w.sign_in("admin", PASSWORD).await;
    let review = http(
        &router,
        Method::GET,
        "/admin/gennemgang",
        &[("skjold_session", &a.token)],
        None,
    )
    .await;
    let action = format!("/admin/sikkerhed/adgangskode/{}", target.user_id);
    assert!(review.body.contains(&action) && review.body.contains("Kræv ny adgangskode"));
    let forced = http(
        &router,
        Method::POST,
        &action,
        &[("skjold_session", &a.token)],
        Some(format!("csrf={}", a.csrf)),
    )
    .await;
    assert_eq!(forced.status, StatusCode::SEE_OTHER);
    assert_eq!(
        forced.location.as_deref(),
        Some("/admin/gennemgang?ok=ny-adgangskode")
    );
    assert!(
        w.db.store
            .directory()
            .password_reset_required(target.user_id)
            .await
            .expect("q")
    );

    let login = post_login(&router, "mentorhuset", "driftens+nye+adgangskode").await;
    assert_eq!(login.location.as_deref(), Some("/login/engangskode"));
    let pending = login.cookie("skjold_pending").expect("pending").to_owned();
    let page = http(
        &router,
        Method::GET,
        "/login/engangskode",
        &[("skjold_pending", &pending)],
        None,
    )
    .await;
    let code = w.current_code("mentorhuset").await;
    let after = http(
        &router,
        Method::POST,
        "/login/engangskode",
        &[("skjold_pending", &pending)],
        Some(format!("csrf={}&code={code}", page.field("csrf"))),
    )
    .await;
    assert_eq!(after.location.as_deref(), Some("/login/ny-adgangskode"));
    assert!(after.cookie("skjold_session").is_none());
    let waiting = after.cookie("skjold_pending").expect("pending").to_owned();
    let as_session = http(
        &router,
        Method::GET,
        "/leverandoer",
        &[("skjold_session", &waiting)],
        None,
    )
    .await;
    assert_eq!(
        as_session.location.as_deref(),
        Some("/login"),
        "a waiting sign-in is no session"
    );
    let page = http(
        &router,
        Method::GET,
        "/login/ny-adgangskode",
        &[("skjold_pending", &waiting)],
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Vælg ny adgangskode"));
    let csrf = page.field("csrf");
    let short = http(
        &router,
        Method::POST,
        "/login/ny-adgangskode",
        &[("skjold_pending", &waiting)],
        Some(format!(
            "csrf={csrf}&new_password=kort&repeat_password=kort"
        )),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("mindst 12 tegn"));
    let chosen = http(
        &router,
        Method::POST,
        "/login/ny-adgangskode",
        &[("skjold_pending", &waiting)],
        Some(format!(
            "csrf={csrf}&new_password=en+tredje+ny+adgangskode&repeat_password=en+tredje+ny+adgangskode"
        )),
    )
    .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    assert_eq!(chosen.location.as_deref(), Some("/leverandoer"));
    let session = chosen.cookie("skjold_session").expect("session").to_owned();
    let home = http(
        &router,
        Method::GET,
        "/leverandoer",
        &[("skjold_session", &session)],
        None,
    )
    .await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        !w.db
            .store
            .directory()
            .password_reset_required(target.user_id)
            .await
            .expect("q")
    );
    w.done().await;
}

async fn demo_codes_only_in_a_demo_server(backend: Backend) {
    let w = World::new(backend, 3).await;
    // The same data served twice: by `skjold demo`, and as any other installation.
    let demo_app = w.app.clone().serving_demo();
    assert!(demo_app.is_demo() && !w.app.is_demo());
    assert_eq!(
        w.app.demo_totp_code("sagsbehandler").await.expect("q"),
        None
    );
    assert_eq!(
        demo_app.demo_totp_code("sagsbehandler").await.expect("q"),
        Some(w.current_code("sagsbehandler").await)
    );
    assert_eq!(
        demo_app.demo_totp_code("ingen.bruger").await.expect("q"),
        None
    );

    for serving_demo in [false, true] {
        let app = if serving_demo {
            demo_app.clone()
        } else {
            w.app.clone()
        };
        let router = skjold_web::router(app, skjold_web::WebConfig::default());
        let login = post_login(&router, "sagsbehandler", PASSWORD).await;
        assert_eq!(login.location.as_deref(), Some("/login/engangskode"));
        let pending = login.cookie("skjold_pending").expect("pending").to_owned();
        let page = http(
            &router,
            Method::GET,
            "/login/engangskode",
            &[("skjold_pending", &pending)],
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        let code = w.current_code("sagsbehandler").await;
        if !serving_demo {
            assert!(!page.body.contains("demo-code"), "{}", page.body);
            assert!(!page.body.contains("Demo:"));
            assert!(!page.body.contains(&spaced(&code)));
            continue;
        }
        assert!(page.body.contains("id=\"demo-code-box\""));
        assert!(page.body.contains(&format!(
            "Demo: engangskoden for sagsbehandler er lige nu <strong id=\"demo-code\">{}</strong>",
            spaced(&code)
        )));
        assert!(
            page.body
                .contains("I en rigtig installation står den kun i brugerens godkendelsesapp.")
        );
        // The code in the box signs in, as typed with its space.
        let shown = spaced(&code).replace(' ', "+");
        let done = http(
            &router,
            Method::POST,
            "/login/engangskode",
            &[("skjold_pending", &pending)],
            Some(format!("csrf={}&code={shown}", page.field("csrf"))),
        )
        .await;
        assert_eq!(done.location.as_deref(), Some("/borgere"), "{}", done.body);
        assert!(done.cookie("skjold_session").is_some());
    }
    w.done().await;
}

crate::on_both_backends!(
    every_staff_role_needs_a_second_factor_by_default,
    users_change_their_own_password,
    administrator_forces_a_new_password,
    demo_codes_only_in_a_demo_server,
);

crate::on_both_backends!(
    lockout_blocks_user_id_and_workstation,
    administrator_unblocks_with_a_reason,
    settings_in_range_or_nothing,
    second_factor_is_set_up_and_used_once,
    refusals_and_forged_cookies_are_recorded,
    access_review_suspends_the_unconfirmed,
);

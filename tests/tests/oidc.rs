//! Single sign-on with OpenID Connect (authorization code with PKCE), against a small
//! provider the test starts itself: discovery, JWKS and the token endpoint over HTTP, and
//! ID tokens signed with RS256. Every answer that does not fit is refused and recorded.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, AuthenticationMethodReference, EndUserUsername, IdToken, IdTokenClaims, IssuerUrl,
    JsonWebKeyId, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use common::{World, workstation};
use skjold_app::auth::SignIn;
use skjold_app::oidc::{ExtraClaims, Oidc, OidcConfig};
use skjold_core::{Role, Timestamp};
use skjold_store::Backend;

const CLIENT_ID: &str = "skjold-test";
const CLIENT_SECRET: &str = "hemmelig-klientnoegle";
const REDIRECT: &str = "https://skjold.example/login/sso/callback";

/// What the provider puts in the next ID token, and what it gets wrong on purpose.
#[derive(Clone)]
struct Answer {
    username: String,
    roles: Vec<String>,
    mfa: bool,
    nonce: Option<String>,
    audience: String,
}

impl Answer {
    fn new(username: &str, roles: &[&str]) -> Answer {
        Answer {
            username: username.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            mfa: true,
            nonce: None,
            audience: CLIENT_ID.into(),
        }
    }
}

struct Grant {
    challenge: String,
    nonce: String,
    answer: Answer,
}

struct Provider {
    issuer: String,
    key: CoreRsaPrivateSigningKey,
    now: Timestamp,
    codes: Mutex<HashMap<String, Grant>>,
}

impl Provider {
    /// The user signs in at the provider, which sends the browser back with a code: here
    /// the test reads the authorization request and makes the code directly.
    fn authorize(&self, url: &str, answer: Answer) -> (String, String) {
        let url = url::Url::parse(url).expect("authorization url");
        assert!(
            url.as_str()
                .starts_with(&format!("{}/authorize", self.issuer))
        );
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["redirect_uri"], REDIRECT);
        assert_eq!(q["code_challenge_method"], "S256", "PKCE is used");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        let code = format!("kode-{}", uuid::Uuid::new_v4());
        self.codes.lock().expect("lock").insert(
            code.clone(),
            Grant {
                challenge: q["code_challenge"].clone(),
                nonce: q["nonce"].clone(),
                answer,
            },
        );
        (code, q["state"].clone())
    }
}

fn time(t: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(t.micros()).expect("time")
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "keys": [p.key.as_verification_key()] }))
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, (StatusCode, Json<serde_json::Value>)> {
    let invalid = |what: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": "invalid_grant", "error_description": what })),
        )
    };
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(format!("Basic {basic}").as_str())
    {
        return Err(invalid("client authentication"));
    }
    let grant = p
        .codes
        .lock()
        .expect("lock")
        .remove(form.get("code").map_or("", String::as_str))
        .ok_or_else(|| invalid("unknown code"))?;
    let verifier = form.get("code_verifier").map_or("", String::as_str);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge {
        return Err(invalid("PKCE verification failed"));
    }
    let a = grant.answer;
    let mut extra = ExtraClaims::default();
    extra
        .claims
        .insert("roles".into(), serde_json::json!(a.roles));
    let claims = IdTokenClaims::<ExtraClaims, CoreGenderClaim>::new(
        IssuerUrl::new(p.issuer.clone()).expect("issuer"),
        vec![Audience::new(a.audience)],
        time(p.now.plus_seconds(300)),
        time(p.now),
        StandardClaims::new(SubjectIdentifier::new(format!("sub-{}", a.username)))
            .set_preferred_username(Some(EndUserUsername::new(a.username))),
        extra,
    )
    .set_nonce(Some(Nonce::new(a.nonce.unwrap_or(grant.nonce))))
    .set_auth_method_refs(
        a.mfa
            .then(|| vec![AuthenticationMethodReference::new("mfa".into())]),
    );
    let id_token = IdToken::<
        ExtraClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(
        claims,
        &p.key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .expect("sign");
    Ok(Json(serde_json::json!({
        "access_token": "adgang",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    })))
}

async fn start_provider(now: Timestamp) -> Arc<Provider> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let provider = Arc::new(Provider {
        issuer,
        key: CoreRsaPrivateSigningKey::from_pem(
            include_str!("fixtures/oidc_test_rsa.pem"),
            Some(JsonWebKeyId::new("test-key".into())),
        )
        .expect("key"),
        now,
        codes: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    provider
}

fn config(issuer: &str) -> OidcConfig {
    OidcConfig {
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        redirect_url: REDIRECT.into(),
        username_claim: "preferred_username".into(),
        role_claim: "roles".into(),
        role_map: OidcConfig::parse_role_map(
            "skjold-dpo=privacy_officer,skjold-sagsbehandler=caseworker",
        )
        .expect("map"),
        display_name: "MitID Erhverv".into(),
    }
}

async fn single_sign_on(backend: Backend) {
    let w = World::new(backend, 3).await;
    let provider = start_provider(w.app.now()).await;
    let app = w
        .app
        .clone()
        .with_oidc(Oidc::new(config(&provider.issuer)).expect("oidc"));
    let ws = workstation("10.9.0.1", "sso-pc");
    let rejected = || async {
        app.store()
            .sign_in_events(Timestamp(0), 1000)
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.kind == "oidc_rejected")
            .map(|e| e.detail)
            .collect::<Vec<_>>()
    };

    // The privacy officer, with MitID Erhverv's own second factor: signed in.
    let (url, state) = app.sso_start().await.expect("start");
    let (code, back) = provider.authorize(&url, Answer::new("dpo", &["skjold-dpo"]));
    assert_eq!(back, state);
    let SignIn::Done(session) = app
        .sso_finish(&state, &back, &code, &ws)
        .await
        .expect("sso")
    else {
        panic!("a second factor at the provider is enough");
    };
    assert_eq!(session.actor.role, Role::PrivacyOfficer);
    assert!(app.session(&session.token).await.expect("q").is_some());
    // The same answer again: its state is used up.
    let again = app.sso_finish(&state, &back, &code, &ws).await;
    assert_eq!(again.map(|_| ()).map_err(|e| e.code()), Err("sso_refused"));

    // Without the provider's second factor, the role still needs Skjold's own.
    let (url, state) = app.sso_start().await.expect("start");
    let mut answer = Answer::new("dpo", &["skjold-dpo"]);
    answer.mfa = false;
    let (code, back) = provider.authorize(&url, answer);
    assert!(matches!(
        app.sso_finish(&state, &back, &code, &ws)
            .await
            .expect("sso"),
        SignIn::SecondFactor { .. }
    ));

    // Refused answers, each recorded and none signing in.
    let signed_in_before = app
        .store()
        .sign_in_events(Timestamp(0), 1000)
        .await
        .expect("events")
        .iter()
        .filter(|e| e.kind == "signed_in")
        .count();
    let cases: Vec<(&str, Answer, &str)> = vec![
        (
            "wrong nonce",
            {
                let mut a = Answer::new("dpo", &["skjold-dpo"]);
                a.nonce = Some("forfalsket".into());
                a
            },
            "ID-token afvist",
        ),
        (
            "wrong audience",
            {
                let mut a = Answer::new("dpo", &["skjold-dpo"]);
                a.audience = "en-anden-klient".into();
                a
            },
            "ID-token afvist",
        ),
        (
            "role not granted",
            Answer::new("dpo", &["skjold-sagsbehandler"]),
            "tildeler ikke rollen",
        ),
        (
            "unknown user",
            Answer::new("ingen.bruger", &["skjold-dpo"]),
            "ingen aktiv bruger",
        ),
    ];
    for (what, answer, expected) in cases {
        // A second apart, so the newest refusal is the first in the report.
        w.clock.advance_seconds(1);
        let (url, state) = app.sso_start().await.expect("start");
        let (code, back) = provider.authorize(&url, answer);
        let e = app.sso_finish(&state, &back, &code, &ws).await;
        assert_eq!(
            e.map(|_| ()).map_err(|e| e.code()),
            Err("sso_refused"),
            "{what}"
        );
        let last = rejected().await;
        assert!(last[0].contains(expected), "{what}: {last:?}");
    }
    // A state that is not the browser's, and a code whose PKCE verifier does not fit.
    let (url, state) = app.sso_start().await.expect("start");
    let (code, back) = provider.authorize(&url, Answer::new("dpo", &["skjold-dpo"]));
    w.clock.advance_seconds(1);
    let e = app
        .sso_finish("en-anden-browsers-state", &back, &code, &ws)
        .await;
    assert!(e.is_err());
    assert!(rejected().await[0].contains("state passer ikke"));
    provider
        .codes
        .lock()
        .expect("lock")
        .get_mut(&code)
        .expect("grant")
        .challenge = "forkert".into();
    w.clock.advance_seconds(1);
    let e = app.sso_finish(&state, &back, &code, &ws).await;
    assert!(e.is_err());
    assert!(rejected().await[0].contains("kodeudveksling afvist"));
    let signed_in_after = app
        .store()
        .sign_in_events(Timestamp(0), 1000)
        .await
        .expect("events")
        .iter()
        .filter(|e| e.kind == "signed_in")
        .count();
    assert_eq!(
        signed_in_before, signed_in_after,
        "no refused answer signed in"
    );

    // An administrator's demand for a new password holds for single sign-on too.
    let admin = w.actor("admin").await;
    let dpo = w.actor("dpo").await;
    app.require_password_reset(&admin, dpo.user_id, &ws)
        .await
        .expect("required");
    let (url, state) = app.sso_start().await.expect("start");
    let (code, back) = provider.authorize(&url, Answer::new("dpo", &["skjold-dpo"]));
    assert!(matches!(
        app.sso_finish(&state, &back, &code, &ws)
            .await
            .expect("sso"),
        SignIn::NewPassword { .. }
    ));

    // Through the web: the button, the provider's round trip and the session cookie.
    let router = skjold_web::router(app.clone(), skjold_web::WebConfig::default());
    let call = |path: String, cookie: Option<String>| {
        let mut req = Request::builder().method(Method::GET).uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        router
            .clone()
            .oneshot(req.body(axum::body::Body::empty()).expect("request"))
    };
    let page = call("/login".into(), None).await.expect("login page");
    let body = axum::body::to_bytes(page.into_body(), 1 << 20)
        .await
        .expect("body");
    assert!(String::from_utf8_lossy(&body).contains("Log ind med MitID Erhverv"));
    let start = call("/login/sso".into(), None).await.expect("start");
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to = start.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let sso_cookie = start
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("skjold_sso="))
        .and_then(|c| c.split(';').next())
        .expect("state cookie")
        .to_owned();
    let (code, back) =
        provider.authorize(&to, Answer::new("sagsbehandler", &["skjold-sagsbehandler"]));
    let done = call(
        format!("/login/sso/callback?code={code}&state={back}"),
        Some(sso_cookie),
    )
    .await
    .expect("callback");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()[header::LOCATION], "/borgere");
    assert!(
        done.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|c| c.starts_with("skjold_session=")))
    );
    w.done().await;
}

on_both_backends!(single_sign_on);

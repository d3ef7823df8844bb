//! Single sign-on with OpenID Connect (authorization code with PKCE), against a small
//! provider the test starts itself: discovery, JWKS, the token and userinfo endpoints over
//! HTTP, and ID tokens signed with RS256. The provider can behave like the certified ones
//! (profile claims only at userinfo, key rotation, `client_secret_post`) and can be
//! misconfigured. Every answer that does not fit is refused and recorded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
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

use crate::common::{World, workstation};
use skjold_app::sign_in::SignIn;
use skjold_app::sign_in::oidc::{ExtraClaims, Oidc, OidcConfig};
use skjold_app::{App, AppError, Clock, FixedClock};
use skjold_core::sign_in::Workstation;
use skjold_core::{Role, Timestamp};
use skjold_store::Backend;

const CLIENT_ID: &str = "skjold-test";
const CLIENT_SECRET: &str = "hemmelig-klientnoegle";
const REDIRECT: &str = "https://skjold.example/login/sso/callback";

/// A signing key and the key id the provider publishes it under.
fn key(pem: &str, kid: &str) -> Arc<CoreRsaPrivateSigningKey> {
    Arc::new(
        CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into()))).expect("key"),
    )
}

fn first_key() -> Arc<CoreRsaPrivateSigningKey> {
    key(include_str!("fixtures/oidc_test_rsa.pem"), "test-key")
}

fn rotated_key() -> Arc<CoreRsaPrivateSigningKey> {
    key(
        include_str!("fixtures/oidc_test_rsa_rotated.pem"),
        "test-key-2",
    )
}

/// A key the provider never publishes.
fn foreign_key() -> Arc<CoreRsaPrivateSigningKey> {
    key(
        include_str!("fixtures/oidc_test_rsa_foreign.pem"),
        "fremmed",
    )
}

/// What the provider puts in the next ID token, and what it gets wrong on purpose.
#[derive(Clone)]
struct Answer {
    username: String,
    roles: Vec<String>,
    mfa: bool,
    nonce: Option<String>,
    audience: String,
    /// Whether the ID token carries the user name and roles; if not, only userinfo has them.
    claims_in_id_token: bool,
    /// The `sub` userinfo answers with, when it is not the ID token's.
    userinfo_sub: Option<String>,
    /// Signs with this key rather than the provider's current one.
    signed_with: Option<Arc<CoreRsaPrivateSigningKey>>,
}

impl Answer {
    fn new(username: &str, roles: &[&str]) -> Answer {
        Answer {
            username: username.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            mfa: true,
            nonce: None,
            audience: CLIENT_ID.into(),
            claims_in_id_token: true,
            userinfo_sub: None,
            signed_with: None,
        }
    }

    fn subject(&self) -> String {
        format!("sub-{}", self.username)
    }
}

struct Grant {
    challenge: String,
    nonce: String,
    answer: Answer,
}

/// How the provider wants the client to authenticate at its token endpoint.
#[derive(Clone, Copy, PartialEq)]
enum ClientAuth {
    /// Advertises `client_secret_basic` and `client_secret_post`, accepts only basic.
    Basic,
    /// Advertises only `client_secret_post`, and refuses basic.
    Post,
}

struct Provider {
    issuer: String,
    clock: Arc<FixedClock>,
    client_auth: ClientAuth,
    /// The issuer discovery names: a misconfigured provider names another.
    advertised_issuer: Mutex<String>,
    /// The key that signs ID tokens, and the keys the JWKS publishes.
    signing: Mutex<Arc<CoreRsaPrivateSigningKey>>,
    published: Mutex<Vec<Arc<CoreRsaPrivateSigningKey>>>,
    codes: Mutex<HashMap<String, Grant>>,
    /// Access token → the answer userinfo gives for it.
    access: Mutex<HashMap<String, Answer>>,
    /// The scopes of the last authorization request.
    scopes: Mutex<Vec<String>>,
    jwks_requests: AtomicUsize,
    userinfo_requests: AtomicUsize,
    /// Token requests that carried the client secret in the body.
    secrets_in_body: AtomicUsize,
}

impl Provider {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

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
        let scopes: Vec<String> = q["scope"].split(' ').map(str::to_owned).collect();
        assert!(scopes.iter().any(|s| s == "openid"));
        assert!(scopes.iter().any(|s| s == "profile"));
        *self.scopes.lock().expect("lock") = scopes;
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

    /// The provider starts signing with `key` and publishes only it.
    fn rotate(&self, key: Arc<CoreRsaPrivateSigningKey>) {
        *self.signing.lock().expect("lock") = key.clone();
        *self.published.lock().expect("lock") = vec![key];
    }

    fn jwks_requests(&self) -> usize {
        self.jwks_requests.load(Ordering::SeqCst)
    }

    fn userinfo_requests(&self) -> usize {
        self.userinfo_requests.load(Ordering::SeqCst)
    }
}

fn time(t: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(t.micros()).expect("time")
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    let auth_methods = match p.client_auth {
        ClientAuth::Basic => vec!["client_secret_basic", "client_secret_post"],
        ClientAuth::Post => vec!["client_secret_post"],
    };
    Json(serde_json::json!({
        "issuer": *p.advertised_issuer.lock().expect("lock"),
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "userinfo_endpoint": format!("{}/userinfo", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<serde_json::Value> {
    p.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let keys: Vec<_> = p
        .published
        .lock()
        .expect("lock")
        .iter()
        .map(|k| k.as_verification_key())
        .collect();
    Json(serde_json::json!({ "keys": keys }))
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, (StatusCode, Json<serde_json::Value>)> {
    let invalid = |error: &str, what: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": error, "error_description": what })),
        )
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match p.client_auth {
        ClientAuth::Basic => {
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
            if authorization != Some(format!("Basic {basic}").as_str()) {
                return Err(invalid("invalid_client", "client authentication"));
            }
        }
        ClientAuth::Post => {
            if authorization.is_some()
                || form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
                || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
            {
                return Err(invalid("invalid_client", "client_secret_post expected"));
            }
            p.secrets_in_body.fetch_add(1, Ordering::SeqCst);
        }
    }
    let grant = p
        .codes
        .lock()
        .expect("lock")
        .remove(form.get("code").map_or("", String::as_str))
        .ok_or_else(|| invalid("invalid_grant", "unknown code"))?;
    let verifier = form.get("code_verifier").map_or("", String::as_str);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge {
        return Err(invalid("invalid_grant", "PKCE verification failed"));
    }
    let a = grant.answer;
    let mut extra = ExtraClaims::default();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(a.subject()));
    if a.claims_in_id_token {
        extra
            .claims
            .insert("roles".into(), serde_json::json!(a.roles));
        standard = standard.set_preferred_username(Some(EndUserUsername::new(a.username.clone())));
    }
    let now = p.now();
    let claims = IdTokenClaims::<ExtraClaims, CoreGenderClaim>::new(
        IssuerUrl::new(p.issuer.clone()).expect("issuer"),
        vec![Audience::new(a.audience.clone())],
        time(now.plus_seconds(300)),
        time(now),
        standard,
        extra,
    )
    .set_nonce(Some(Nonce::new(a.nonce.clone().unwrap_or(grant.nonce))))
    .set_auth_method_refs(
        a.mfa
            .then(|| vec![AuthenticationMethodReference::new("mfa".into())]),
    );
    let key = a
        .signed_with
        .clone()
        .unwrap_or_else(|| p.signing.lock().expect("lock").clone());
    let id_token = IdToken::<
        ExtraClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(
        claims,
        key.as_ref(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .expect("sign");
    let access_token = format!("adgang-{}", uuid::Uuid::new_v4());
    p.access
        .lock()
        .expect("lock")
        .insert(access_token.clone(), a);
    Ok(Json(serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    })))
}

/// The profile claims, for the bearer of an access token the provider issued.
async fn userinfo(
    State(p): State<Arc<Provider>>,
    headers: axum::http::HeaderMap,
) -> Result<Json<serde_json::Value>, StatusCode> {
    p.userinfo_requests.fetch_add(1, Ordering::SeqCst);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let a = p
        .access
        .lock()
        .expect("lock")
        .get(token)
        .cloned()
        .ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(Json(serde_json::json!({
        "sub": a.userinfo_sub.clone().unwrap_or_else(|| a.subject()),
        "preferred_username": a.username,
        "roles": a.roles,
    })))
}

async fn start_provider(clock: Arc<FixedClock>, client_auth: ClientAuth) -> Arc<Provider> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let key = first_key();
    let provider = Arc::new(Provider {
        advertised_issuer: Mutex::new(issuer.clone()),
        issuer,
        clock,
        client_auth,
        signing: Mutex::new(key.clone()),
        published: Mutex::new(vec![key]),
        codes: Mutex::new(HashMap::new()),
        access: Mutex::new(HashMap::new()),
        scopes: Mutex::new(Vec::new()),
        jwks_requests: AtomicUsize::new(0),
        userinfo_requests: AtomicUsize::new(0),
        secrets_in_body: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
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
        scopes: Vec::new(),
        client_auth: None,
    }
}

/// A whole sign-in: start, the provider's answer, and the way back.
async fn sign_in(
    app: &App,
    provider: &Provider,
    answer: Answer,
    ws: &Workstation,
) -> Result<SignIn, AppError> {
    let (url, state) = app.sso_start().await.expect("start");
    let (code, back) = provider.authorize(&url, answer);
    app.sso_finish(&state, &back, &code, ws).await
}

/// The details of the refused answers, the newest first.
async fn rejected(w: &World) -> Vec<String> {
    w.db.store
        .sign_in()
        .sign_in_events(Timestamp(0), 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == "oidc_rejected")
        .map(|e| e.detail)
        .collect()
}

async fn signed_in(w: &World) -> usize {
    w.db.store
        .sign_in()
        .sign_in_events(Timestamp(0), 1000)
        .await
        .expect("events")
        .iter()
        .filter(|e| e.kind == "signed_in")
        .count()
}

/// The user is signed in, with the provider's second factor.
fn assert_signed_in(result: Result<SignIn, AppError>, role: Role) {
    match result {
        Ok(SignIn::Done(session)) => assert_eq!(session.actor.role, role),
        Ok(SignIn::SecondFactor { .. }) => panic!("a second factor at the provider is enough"),
        Ok(SignIn::NewPassword { .. }) => panic!("no new password was required"),
        Err(e) => panic!("refused: {} ({e})", e.code()),
    }
}

fn code_of(result: Result<SignIn, AppError>) -> &'static str {
    match result {
        Ok(_) => "signed in",
        Err(e) => e.code(),
    }
}

/// The web's single sign-on button: the status and page it answers with.
async fn web_sso_start(app: &App) -> (StatusCode, String) {
    let router = skjold_web::router(app.clone(), skjold_web::WebConfig::default());
    let request = Request::builder()
        .method(Method::GET)
        .uri("/login/sso")
        .body(axum::body::Body::empty())
        .expect("request");
    let response = router.oneshot(request).await.expect("start");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn single_sign_on(backend: Backend) {
    let w = World::new(backend, 3).await;
    let provider = start_provider(w.clock.clone(), ClientAuth::Basic).await;
    let app = w
        .app
        .clone()
        .with_oidc(Oidc::new(config(&provider.issuer)).expect("oidc"));
    let ws = workstation("10.9.0.1", "sso-pc");

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
    let signed_in_before = signed_in(&w).await;
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
        let last = rejected(&w).await;
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
    assert!(rejected(&w).await[0].contains("state passer ikke"));
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
    assert!(rejected(&w).await[0].contains("kodeudveksling afvist"));
    let signed_in_after = signed_in(&w).await;
    assert_eq!(
        signed_in_before, signed_in_after,
        "no refused answer signed in"
    );
    assert_eq!(
        provider.userinfo_requests(),
        0,
        "the ID tokens named the user and the roles: userinfo is not asked"
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

/// As certified providers do by default: the ID token says who signed in (`sub`) and how
/// (`amr`); the user name and roles come from the userinfo endpoint.
async fn claims_at_userinfo(backend: Backend) {
    let w = World::new(backend, 3).await;
    let provider = start_provider(w.clock.clone(), ClientAuth::Basic).await;
    let mut settings = config(&provider.issuer);
    settings.scopes = OidcConfig::parse_scopes("roles");
    let app = w.app.clone().with_oidc(Oidc::new(settings).expect("oidc"));
    let ws = workstation("10.9.0.2", "sso-pc");

    let mut answer = Answer::new("dpo", &["skjold-dpo"]);
    answer.claims_in_id_token = false;
    assert_signed_in(
        sign_in(&app, &provider, answer.clone(), &ws).await,
        Role::PrivacyOfficer,
    );
    assert_eq!(provider.userinfo_requests(), 1);
    assert!(
        provider
            .scopes
            .lock()
            .expect("lock")
            .contains(&"roles".to_owned()),
        "the configured scope is asked for"
    );

    // Refused answers, each recorded and none signing in.
    let before = signed_in(&w).await;
    // Userinfo about another subject than the ID token's: its claims are not used.
    w.clock.advance_seconds(1);
    let mut other = answer.clone();
    other.userinfo_sub = Some("sub-admin".into());
    assert_eq!(
        code_of(sign_in(&app, &provider, other, &ws).await),
        "sso_refused"
    );
    let last = rejected(&w).await;
    assert!(
        last[0].contains("userinfo") && last[0].contains("sub"),
        "{last:?}"
    );
    // Userinfo names the user but grants no role of Skjold's.
    w.clock.advance_seconds(1);
    let mut no_role = Answer::new("dpo", &["en-anden-rolle"]);
    no_role.claims_in_id_token = false;
    assert_eq!(
        code_of(sign_in(&app, &provider, no_role, &ws).await),
        "sso_refused"
    );
    let last = rejected(&w).await;
    assert!(last[0].contains("tildeler ikke rollen"), "{last:?}");
    assert_eq!(signed_in(&w).await, before, "no refused answer signed in");
    assert_eq!(provider.userinfo_requests(), 3);
    w.done().await;
}

/// The provider rotates its signing key: Skjold fetches the new JWKS when a token names a
/// key it does not know, at most once a minute, and keeps refusing keys nobody publishes.
async fn key_rotation(backend: Backend) {
    let w = World::new(backend, 3).await;
    let provider = start_provider(w.clock.clone(), ClientAuth::Basic).await;
    let app = w
        .app
        .clone()
        .with_oidc(Oidc::new(config(&provider.issuer)).expect("oidc"));
    let ws = workstation("10.9.0.3", "sso-pc");
    let dpo = || Answer::new("dpo", &["skjold-dpo"]);

    assert_signed_in(
        sign_in(&app, &provider, dpo(), &ws).await,
        Role::PrivacyOfficer,
    );
    assert_eq!(provider.jwks_requests(), 1, "fetched at discovery");

    // A routine rotation: the next sign-in fetches the new keys, and later ones use them.
    provider.rotate(rotated_key());
    w.clock.advance_seconds(61);
    assert_signed_in(
        sign_in(&app, &provider, dpo(), &ws).await,
        Role::PrivacyOfficer,
    );
    assert_eq!(provider.jwks_requests(), 2);
    assert_signed_in(
        sign_in(&app, &provider, dpo(), &ws).await,
        Role::PrivacyOfficer,
    );
    assert_eq!(provider.jwks_requests(), 2, "the new keys are kept");

    // Keys the provider does not publish: refused and recorded, and the JWKS is fetched
    // again at most once a minute.
    let before = signed_in(&w).await;
    let refusals = rejected(&w).await.len();
    let mut retired = dpo();
    retired.signed_with = Some(first_key());
    w.clock.advance_seconds(1);
    assert_eq!(
        code_of(sign_in(&app, &provider, retired, &ws).await),
        "sso_refused"
    );
    assert!(rejected(&w).await[0].contains("ID-token afvist"));
    assert_eq!(
        provider.jwks_requests(),
        2,
        "within a minute of the last fetch"
    );
    w.clock.advance_seconds(60);
    for _ in 0..2 {
        let mut foreign = dpo();
        foreign.signed_with = Some(foreign_key());
        w.clock.advance_seconds(1);
        assert_eq!(
            code_of(sign_in(&app, &provider, foreign, &ws).await),
            "sso_refused"
        );
        assert!(rejected(&w).await[0].contains("ID-token afvist"));
    }
    assert_eq!(
        provider.jwks_requests(),
        3,
        "fetched again once, not for every unknown key"
    );
    assert_eq!(rejected(&w).await.len(), refusals + 3);
    assert_eq!(signed_in(&w).await, before, "no refused answer signed in");
    // The provider's own key still works.
    assert_signed_in(
        sign_in(&app, &provider, dpo(), &ws).await,
        Role::PrivacyOfficer,
    );
    w.done().await;
}

/// A provider that takes the client secret only in the request body.
async fn client_secret_post(backend: Backend) {
    let w = World::new(backend, 3).await;
    let provider = start_provider(w.clock.clone(), ClientAuth::Post).await;
    let app = w
        .app
        .clone()
        .with_oidc(Oidc::new(config(&provider.issuer)).expect("oidc"));
    let ws = workstation("10.9.0.4", "sso-pc");
    assert_signed_in(
        sign_in(&app, &provider, Answer::new("dpo", &["skjold-dpo"]), &ws).await,
        Role::PrivacyOfficer,
    );
    assert_eq!(provider.secrets_in_body.load(Ordering::SeqCst), 1);

    // The setting overrides discovery: a provider that takes only basic refuses the body.
    let basic_only = start_provider(w.clock.clone(), ClientAuth::Basic).await;
    let mut settings = config(&basic_only.issuer);
    settings.client_auth = Some(skjold_app::sign_in::oidc::ClientAuth::Post);
    let app = w.app.clone().with_oidc(Oidc::new(settings).expect("oidc"));
    let before = signed_in(&w).await;
    w.clock.advance_seconds(1);
    assert_eq!(
        code_of(sign_in(&app, &basic_only, Answer::new("dpo", &["skjold-dpo"]), &ws).await),
        "sso_refused"
    );
    let last = rejected(&w).await;
    assert!(last[0].contains("kodeudveksling afvist"), "{last:?}");
    assert_eq!(signed_in(&w).await, before, "no refused answer signed in");
    w.done().await;
}

/// Discovery names another issuer than Skjold's configuration: a clear message, not an
/// internal error, and nobody signs in until the two agree.
async fn issuer_mismatch(backend: Backend) {
    let w = World::new(backend, 3).await;
    let provider = start_provider(w.clock.clone(), ClientAuth::Basic).await;
    *provider.advertised_issuer.lock().expect("lock") = "https://login.example/anden".into();
    let app = w
        .app
        .clone()
        .with_oidc(Oidc::new(config(&provider.issuer)).expect("oidc"));
    let ws = workstation("10.9.0.5", "sso-pc");
    let before = signed_in(&w).await;

    let e = app.sso_start().await.map(|_| ()).map_err(|e| e.code());
    assert_eq!(e, Err("sso_issuer_mismatch"));
    let (status, page) = web_sso_start(&app).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("passer ikke med Skjolds opsætning"),
        "the page explains: {page}"
    );
    assert!(page.contains("sso_issuer_mismatch"));
    assert!(!page.contains("intern fejl"));
    assert_eq!(signed_in(&w).await, before, "nobody signed in");

    // Once the provider names the configured issuer, sign-in works.
    *provider.advertised_issuer.lock().expect("lock") = provider.issuer.clone();
    assert_signed_in(
        sign_in(&app, &provider, Answer::new("dpo", &["skjold-dpo"]), &ws).await,
        Role::PrivacyOfficer,
    );
    w.done().await;
}

/// Nothing answers at the provider's address: a clear message, not an internal error.
async fn provider_unreachable(backend: Backend) {
    let w = World::new(backend, 3).await;
    // A port that was free a moment ago, and now has no listener.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let app = w
        .app
        .clone()
        .with_oidc(Oidc::new(config(&issuer)).expect("oidc"));
    let before = signed_in(&w).await;

    let e = app.sso_start().await.map(|_| ()).map_err(|e| e.code());
    assert_eq!(e, Err("sso_unreachable"));
    let (status, page) = web_sso_start(&app).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("kan ikke nås"), "the page explains: {page}");
    assert!(page.contains("sso_unreachable"));
    assert!(!page.contains("intern fejl"));
    assert_eq!(signed_in(&w).await, before, "nobody signed in");
    w.done().await;
}

crate::on_both_backends!(
    single_sign_on,
    claims_at_userinfo,
    key_rotation,
    client_secret_post,
    issuer_mismatch,
    provider_unreachable,
);

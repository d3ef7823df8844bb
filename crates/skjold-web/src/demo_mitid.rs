//! The demo's identity provider (`skjold demo` only, never in a real installation): a small
//! OpenID Connect provider, clearly marked as a demo, where one picks a demo citizen and is
//! sent back to Skjold as if MitID had vouched for them. It speaks the same protocol as a
//! MitID broker (discovery, the authorization code flow with PKCE, ID tokens signed with
//! RS256, the CPR number in the `dk.cpr` claim), so the citizen's sign-in in the demo runs
//! through the same code as a real one. Its signing key is made at start and lives in memory
//! only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::Engine;
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey,
    StandardClaims, SubjectIdentifier,
};
use rsa::pkcs1::EncodeRsaPrivateKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use skjold_app::sign_in::oidc::ExtraClaims;

use crate::layout::render;

/// The claim the CPR number travels in, as MitID brokers name it.
pub const CPR_CLAIM: &str = "dk.cpr";
/// The client Skjold is at the demo provider.
pub const CLIENT_ID: &str = "skjold-demo";
/// The provider's name on the sign-in page.
pub const DISPLAY_NAME: &str = "Demo-MitID (kun til demoen, ikke rigtigt MitID)";

/// A sign-in waiting for its code to be exchanged.
struct Grant {
    challenge: String,
    nonce: String,
    cpr: String,
    subject: String,
}

/// The demo provider: who may sign in, its key, and the codes it has handed out.
pub struct DemoMitid {
    issuer: String,
    client_secret: String,
    redirect: String,
    key: CoreRsaPrivateSigningKey,
    people: Vec<(String, String)>,
    codes: Mutex<HashMap<String, Grant>>,
}

impl std::fmt::Debug for DemoMitid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoMitid")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl DemoMitid {
    /// A provider at `issuer` (`http://127.0.0.1:PORT/demo-mitid`) that sends the browser
    /// back to `redirect` and lets `people` (name, CPR number) sign in.
    pub fn new(
        issuer: String,
        client_secret: String,
        redirect: String,
        people: Vec<(String, String)>,
    ) -> Result<DemoMitid, String> {
        let mut rng = rand::rngs::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| e.to_string())?;
        let pem = private
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let key =
            CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new("demo-mitid".into())))
                .map_err(|e| e.to_string())?;
        Ok(DemoMitid {
            issuer,
            client_secret,
            redirect,
            key,
            people,
            codes: Mutex::new(HashMap::new()),
        })
    }

    /// The provider's routes, mounted at `/demo-mitid`.
    pub fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route(
                "/demo-mitid/.well-known/openid-configuration",
                get(discovery),
            )
            .route("/demo-mitid/jwks", get(jwks))
            .route("/demo-mitid/authorize", get(authorize).post(choose))
            .route("/demo-mitid/token", axum::routing::post(token))
            .with_state(self)
    }
}

async fn discovery(State(p): State<Arc<DemoMitid>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks(State(p): State<Arc<DemoMitid>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "keys": [p.key.as_verification_key()] }))
}

/// What the client asks for at the authorization endpoint.
#[derive(Deserialize, Default, Clone)]
struct AuthRequest {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
}

#[derive(Template)]
#[template(path = "citizen_view/demo_mitid.html")]
struct ChoosePage {
    people: Vec<(String, String)>,
    req: AuthRequest,
}

fn refuse(why: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, why).into_response()
}

impl DemoMitid {
    /// Why the request cannot be answered, if it cannot: a client or return address other
    /// than Skjold's, or no PKCE.
    fn check(&self, req: &AuthRequest) -> Result<(), &'static str> {
        if req.client_id != CLIENT_ID || req.redirect_uri != self.redirect {
            return Err("ukendt klient eller tilbagesendelsesadresse");
        }
        if req.code_challenge_method != "S256" || req.code_challenge.is_empty() {
            return Err("PKCE (S256) kræves");
        }
        Ok(())
    }
}

async fn authorize(State(p): State<Arc<DemoMitid>>, Query(req): Query<AuthRequest>) -> Response {
    if let Err(why) = p.check(&req) {
        return refuse(why);
    }
    render(&ChoosePage {
        people: p.people.clone(),
        req,
    })
}

#[derive(Deserialize)]
struct Choice {
    #[serde(flatten)]
    req: AuthRequest,
    #[serde(default)]
    person: usize,
}

async fn choose(State(p): State<Arc<DemoMitid>>, Form(choice): Form<Choice>) -> Response {
    if let Err(why) = p.check(&choice.req) {
        return refuse(why);
    }
    let Some((_, cpr)) = p.people.get(choice.person) else {
        return refuse("ukendt demoborger");
    };
    let code = skjold_app::sign_in::new_token();
    if let Ok(mut codes) = p.codes.lock() {
        codes.insert(
            code.clone(),
            Grant {
                challenge: choice.req.code_challenge.clone(),
                nonce: choice.req.nonce.clone(),
                cpr: cpr.clone(),
                subject: format!("demo-borger-{}", choice.person),
            },
        );
    }
    let query = serde_urlencoded::to_string([("code", &code), ("state", &choice.req.state)])
        .unwrap_or_default();
    Redirect::to(&format!("{}?{query}", p.redirect)).into_response()
}

fn token_error(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": error })),
    )
        .into_response()
}

async fn token(
    State(p): State<Arc<DemoMitid>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let expected = base64::engine::general_purpose::STANDARD
        .encode(format!("{CLIENT_ID}:{}", p.client_secret));
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return token_error("invalid_client");
    }
    let code = form.get("code").map_or("", String::as_str);
    let Some(grant) = p.codes.lock().ok().and_then(|mut c| c.remove(code)) else {
        return token_error("invalid_grant");
    };
    let verifier = form.get("code_verifier").map_or("", String::as_str);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge {
        return token_error("invalid_grant");
    }
    let Ok(issuer) = IssuerUrl::new(p.issuer.clone()) else {
        return token_error("server_error");
    };
    let mut extra = ExtraClaims::default();
    extra
        .claims
        .insert(CPR_CLAIM.into(), serde_json::Value::String(grant.cpr));
    let now = chrono::Utc::now();
    let claims = IdTokenClaims::<ExtraClaims, CoreGenderClaim>::new(
        issuer,
        vec![Audience::new(CLIENT_ID.into())],
        now + chrono::Duration::minutes(5),
        now,
        StandardClaims::new(SubjectIdentifier::new(grant.subject)),
        extra,
    )
    .set_nonce(Some(Nonce::new(grant.nonce)));
    let signed = IdToken::<
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
    );
    match signed {
        Ok(id_token) => Json(serde_json::json!({
            "access_token": skjold_app::sign_in::new_token(),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token.to_string(),
        }))
        .into_response(),
        Err(_) => token_error("server_error"),
    }
}

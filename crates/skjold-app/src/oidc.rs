//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, as MitID
//! Erhverv brokers and Entra ID offer it.
//!
//! The identity provider says who the user is and which roles it grants; a Skjold user of
//! that user name must exist, be active, and hold a role the provider grants (through the
//! configured claim-to-role mapping). So the administrator and the access review keep
//! deciding who may do what, and the provider can take access away. A role that needs a
//! second factor gets one from the provider (`amr` contains `mfa`) or from Skjold's own.
//!
//! Every answer that does not fit (unknown state, wrong nonce, wrong audience or issuer,
//! a bad signature, an expired token, a failed PKCE check) is refused and recorded.

use std::sync::Arc;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenClaims,
    IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

use skjold_core::Role;
use skjold_store::security::Workstation;

use crate::auth::{SignIn, constant_time_eq};
use crate::security::username_key;
use crate::{App, AppError};

/// How long a sign-in may stay at the identity provider.
const REQUEST_SECONDS: i64 = 10 * 60;

/// The claims beyond the standard ones (the role claim among them), by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

type Fields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<Fields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The identity provider and how its answers map onto Skjold's users.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Where the provider sends the browser back: `https://…/login/sso/callback`.
    pub redirect_url: String,
    /// The claim holding the Skjold user name (default `preferred_username`).
    pub username_claim: String,
    /// The claim holding the provider's roles or groups (default `roles`).
    pub role_claim: String,
    /// Provider role → Skjold role.
    pub role_map: Vec<(String, Role)>,
    /// Shown on the sign-in button, e.g. "MitID Erhverv".
    pub display_name: String,
}

impl OidcConfig {
    /// Parses a mapping like `skjold-dpo=privacy_officer,skjold-admin=administrator`.
    pub fn parse_role_map(text: &str) -> Result<Vec<(String, Role)>, String> {
        text.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (claim, role) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("«{pair}» is not claim=role"))?;
                let role = Role::parse(role.trim())
                    .ok_or_else(|| format!("«{}» is not a role", role.trim()))?;
                Ok((claim.trim().to_owned(), role))
            })
            .collect()
    }
}

/// Single sign-on: the configuration, and the provider's metadata once discovered.
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    client: tokio::sync::OnceCell<OidcClient>,
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Oidc, AppError> {
        // No redirects: a token endpoint that redirects could leak the code elsewhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::Internal(format!("single sign-on client: {e}")))?;
        Ok(Oidc {
            config,
            http,
            client: tokio::sync::OnceCell::new(),
        })
    }

    pub fn display_name(&self) -> &str {
        &self.config.display_name
    }

    /// The client, discovering the provider on first use (so Skjold starts while the
    /// provider is down).
    async fn client(&self) -> Result<&OidcClient, AppError> {
        self.client
            .get_or_try_init(|| async {
                let unavailable =
                    |e: String| AppError::Internal(format!("single sign-on provider: {e}"));
                let issuer = IssuerUrl::new(self.config.issuer.clone())
                    .map_err(|e| unavailable(e.to_string()))?;
                let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| unavailable(e.to_string()))?;
                let redirect = RedirectUrl::new(self.config.redirect_url.clone())
                    .map_err(|e| unavailable(e.to_string()))?;
                Ok(OidcClient::from_provider_metadata(
                    metadata,
                    ClientId::new(self.config.client_id.clone()),
                    self.config.client_secret.clone().map(ClientSecret::new),
                )
                .set_redirect_uri(redirect))
            })
            .await
    }

    fn username(&self, claims: &IdTokenClaims<ExtraClaims, CoreGenderClaim>) -> Option<String> {
        match self.config.username_claim.as_str() {
            "preferred_username" => claims.preferred_username().map(|u| u.to_string()),
            "email" => claims.email().map(|e| e.to_string()),
            "sub" => Some(claims.subject().to_string()),
            other => claims
                .additional_claims()
                .claims
                .get(other)
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        }
    }

    /// The Skjold roles the provider grants.
    fn roles(&self, claims: &IdTokenClaims<ExtraClaims, CoreGenderClaim>) -> Vec<Role> {
        let granted: Vec<String> = match claims
            .additional_claims()
            .claims
            .get(&self.config.role_claim)
        {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        self.config
            .role_map
            .iter()
            .filter(|(claim, _)| granted.contains(claim))
            .map(|(_, role)| *role)
            .collect()
    }
}

fn refused() -> AppError {
    AppError::forbidden(
        "sso_refused",
        "log-ind via single sign-on blev afvist; prøv igen, eller kontakt jeres administrator",
    )
}

impl App {
    /// Records a refused answer from the provider, and the refusal to show.
    async fn sso_refused(
        &self,
        ws: &Workstation,
        detail: &str,
        username: Option<&str>,
    ) -> AppError {
        let recorded = self
            .store
            .record_sign_in_event(
                self.now(),
                "oidc_rejected",
                &username.map(username_key).unwrap_or_default(),
                None,
                ws,
                detail,
            )
            .await;
        match recorded {
            Ok(()) => refused(),
            Err(e) => e.into(),
        }
    }

    /// Signs in through `oidc` from now on.
    pub fn with_oidc(mut self, oidc: Oidc) -> App {
        self.oidc = Some(Arc::new(oidc));
        self
    }

    /// The provider's name, when single sign-on is set up.
    pub fn sso_name(&self) -> Option<&str> {
        self.oidc.as_deref().map(Oidc::display_name)
    }

    fn oidc(&self) -> Result<&Oidc, AppError> {
        self.oidc.as_deref().ok_or_else(|| {
            AppError::not_found("sso_not_configured", "single sign-on er ikke sat op")
        })
    }

    /// Starts a sign-in at the provider: the address to send the browser to, and the state
    /// the browser must bring back (kept in its cookie).
    pub async fn sso_start(&self) -> Result<(String, String), AppError> {
        let oidc = self.oidc()?;
        let client = oidc.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let now = self.now();
        self.store
            .create_oidc_request(
                state.secret(),
                nonce.secret(),
                verifier.secret(),
                now,
                now.plus_seconds(REQUEST_SECONDS),
            )
            .await?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Finishes a sign-in with the provider's answer. `cookie_state` is what the browser
    /// kept; `state` and `code` came back in the address.
    pub async fn sso_finish(
        &self,
        cookie_state: &str,
        state: &str,
        code: &str,
        ws: &Workstation,
    ) -> Result<SignIn, AppError> {
        let oidc = self.oidc()?;
        if cookie_state.is_empty() || !constant_time_eq(cookie_state.as_bytes(), state.as_bytes()) {
            return Err(self
                .sso_refused(ws, "state passer ikke til browserens", None)
                .await);
        }
        let Some((nonce, verifier)) = self.store.take_oidc_request(state, self.now()).await? else {
            return Err(self
                .sso_refused(ws, "ukendt eller udløbet state", None)
                .await);
        };
        let client = oidc.client().await?;
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| AppError::Internal(format!("single sign-on: {e}")))?;
        let tokens = match request
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&oidc.http)
            .await
        {
            Ok(t) => t,
            Err(e) => {
                let detail = format!("kodeudveksling afvist: {e}");
                return Err(self.sso_refused(ws, &detail, None).await);
            }
        };
        let Some(id_token) = tokens.id_token() else {
            return Err(self
                .sso_refused(ws, "svaret indeholdt intet ID-token", None)
                .await);
        };
        let now = self.now();
        let verifier = client.id_token_verifier().set_time_fn(move || {
            chrono::DateTime::from_timestamp_micros(now.micros()).unwrap_or_default()
        });
        let claims = match id_token.claims(&verifier, &Nonce::new(nonce)) {
            Ok(c) => c,
            Err(e) => {
                let detail = format!("ID-token afvist: {e}");
                return Err(self.sso_refused(ws, &detail, None).await);
            }
        };
        let Some(username) = oidc.username(claims) else {
            return Err(self
                .sso_refused(ws, "ID-tokenet nævner intet brugernavn", None)
                .await);
        };
        let named = Some(username.as_str());
        let Some(actor) = self.store.actor_by_username(&username).await? else {
            return Err(self
                .sso_refused(ws, "ingen aktiv bruger med det navn", named)
                .await);
        };
        if !oidc.roles(claims).contains(&actor.role) {
            let detail = format!(
                "udbyderen tildeler ikke rollen {}",
                actor.role.danish().to_lowercase()
            );
            return Err(self.sso_refused(ws, &detail, named).await);
        }
        if self.blocked(&username, ws).await? {
            let detail = "bruger-ID eller arbejdsstation er spærret";
            return Err(self.sso_refused(ws, detail, named).await);
        }
        let mfa = claims
            .auth_method_refs()
            .is_some_and(|amr| amr.iter().any(|m| m.as_str() == "mfa"));
        self.after_first_factor(&actor, ws, mfa, "single sign-on")
            .await
    }
}

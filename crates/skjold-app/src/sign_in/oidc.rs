//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, as MitID
//! Erhverv brokers and Entra ID offer it.
//!
//! The identity provider says who the user is and which roles it grants; a Skjold user of
//! that user name must exist, be active, and hold a role the provider grants (through the
//! configured claim-to-role mapping). So the administrator and the access review keep
//! deciding who may do what, and the provider can take access away. A role that needs a
//! second factor gets one from the provider (`amr` contains `mfa`) or from Skjold's own.
//!
//! Providers may keep the profile claims (user name, roles) out of the ID token and give
//! them at the userinfo endpoint; Skjold asks it when the ID token lacks them, and uses its
//! answer only if it is about the ID token's subject. When an ID token is signed with a key
//! Skjold has not seen, it fetches the provider's keys again (at most once a minute), so a
//! routine key rotation needs no restart.
//!
//! Every answer that does not fit (unknown state, wrong nonce, wrong audience or issuer,
//! a bad signature, an expired token, a failed PKCE check, userinfo about someone else) is
//! refused, recorded and logged.

use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AuthType, AuthorizationCode, ClaimsVerificationError, Client,
    ClientId, ClientSecret, CsrfToken, DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdToken, IdTokenClaims, IdTokenFields, IssuerUrl, JsonWebKeySet,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse, SubjectIdentifier, TokenResponse, UserInfoClaims, UserInfoError,
};
use serde::{Deserialize, Serialize};

use skjold_core::sign_in::Workstation;
use skjold_core::{Problem, Role, Timestamp};

use super::security::username_key;
use super::{SignIn, constant_time_eq};
use crate::{App, AppError};

/// How long a sign-in may stay at the identity provider.
const REQUEST_SECONDS: i64 = 10 * 60;

/// The provider's keys are fetched again at most this often, however many tokens name an
/// unknown key.
const KEYS_REFETCH_SECONDS: i64 = 60;

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

type OidcIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Claims by name, as the ID token or the userinfo endpoint gave them.
type ClaimMap = serde_json::Map<String, serde_json::Value>;

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
    /// Scopes to ask for besides `openid profile`, e.g. `roles` where the provider gives
    /// the role claim only for that scope.
    pub scopes: Vec<String>,
    /// How Skjold authenticates at the token endpoint; `None` follows the provider's
    /// discovery document (basic unless the provider takes only `client_secret_post`).
    pub client_auth: Option<ClientAuth>,
}

/// How the client secret travels to the provider's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`: in the Authorization header.
    Basic,
    /// `client_secret_post`: in the request body.
    Post,
}

impl ClientAuth {
    /// Parses `basic` or `post` (or their standard names `client_secret_basic`, `…_post`).
    pub fn parse(text: &str) -> Result<ClientAuth, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "basic" | "client_secret_basic" => Ok(ClientAuth::Basic),
            "post" | "client_secret_post" => Ok(ClientAuth::Post),
            other => Err(format!("«{other}» is neither basic nor post")),
        }
    }

    /// The method the provider's discovery asks for: basic, the standard's default, unless
    /// the provider lists `client_secret_post` and not `client_secret_basic`.
    fn for_provider(metadata: &CoreProviderMetadata) -> ClientAuth {
        match metadata.token_endpoint_auth_methods_supported() {
            Some(methods)
                if methods.contains(&CoreClientAuthMethod::ClientSecretPost)
                    && !methods.contains(&CoreClientAuthMethod::ClientSecretBasic) =>
            {
                ClientAuth::Post
            }
            _ => ClientAuth::Basic,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ClientAuth::Basic => "client_secret_basic",
            ClientAuth::Post => "client_secret_post",
        }
    }
}

impl OidcConfig {
    /// Parses extra scopes separated by spaces or commas; `openid` and `profile` are always
    /// asked for and left out here.
    pub fn parse_scopes(text: &str) -> Vec<String> {
        let mut scopes: Vec<String> = Vec::new();
        for scope in text.split([' ', ',']).map(str::trim) {
            if !scope.is_empty()
                && scope != "openid"
                && scope != "profile"
                && !scopes.iter().any(|s| s == scope)
            {
                scopes.push(scope.to_owned());
            }
        }
        scopes
    }

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

/// The provider as discovered: its metadata with the keys, and the client made from them.
struct Discovered {
    metadata: CoreProviderMetadata,
    client: Arc<OidcClient>,
    /// When the keys were last fetched, by the App's clock.
    keys_fetched: Timestamp,
}

/// Single sign-on: the configuration, and the provider's metadata once discovered.
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Discovered>>,
}

/// What fetching the keys again gave.
enum Refetch {
    /// A client with the provider's current keys.
    Fetched(Arc<OidcClient>),
    /// Not fetched: the keys were fetched less than a minute ago.
    TooSoon,
    /// The provider did not give its keys.
    Failed(String),
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Oidc, AppError> {
        // No redirects: a token endpoint that redirects could leak the code elsewhere.
        // Timeouts, so a provider that hangs cannot hold sign-ins (and the key cache) forever.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| AppError::Internal(format!("single sign-on client: {e}")))?;
        Ok(Oidc {
            config,
            http,
            discovered: tokio::sync::Mutex::new(None),
        })
    }

    pub fn display_name(&self) -> &str {
        &self.config.display_name
    }

    /// The client, discovering the provider on first use (so Skjold starts while the
    /// provider is down). `now` counts as the time the keys were fetched.
    async fn client(&self, now: Timestamp) -> Result<Arc<OidcClient>, AppError> {
        let mut discovered = self.discovered.lock().await;
        if let Some(d) = discovered.as_ref() {
            return Ok(d.client.clone());
        }
        let metadata = self.discover().await?;
        let client = Arc::new(self.make_client(metadata.clone())?);
        tracing::info!(
            issuer = %self.config.issuer,
            client_auth = self.client_auth(&metadata).name(),
            userinfo = metadata.userinfo_endpoint().is_some(),
            "single sign-on provider discovered"
        );
        *discovered = Some(Discovered {
            metadata,
            client: client.clone(),
            keys_fetched: now,
        });
        Ok(client)
    }

    /// The provider's discovery document and keys. A provider that cannot be reached, one
    /// that names another issuer, and one whose document cannot be used each get their own
    /// message; the server log has the details.
    async fn discover(&self) -> Result<CoreProviderMetadata, AppError> {
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| {
            AppError::Internal(format!("single sign-on issuer {}: {e}", self.config.issuer))
        })?;
        match CoreProviderMetadata::discover_async(issuer, &self.http).await {
            Ok(metadata) => Ok(metadata),
            // The only validation discovery makes: the document's issuer is the configured.
            Err(DiscoveryError::Validation(detail)) => {
                tracing::warn!(
                    configured_issuer = %self.config.issuer,
                    detail = %detail,
                    "single sign-on: the provider's discovery document names another issuer"
                );
                Err(issuer_mismatch())
            }
            Err(DiscoveryError::Request(e)) => {
                tracing::warn!(
                    issuer = %self.config.issuer,
                    error = %chain(&e),
                    "single sign-on: the provider cannot be reached"
                );
                Err(provider_unreachable())
            }
            Err(DiscoveryError::Response(status, _, detail)) if status.is_server_error() => {
                tracing::warn!(
                    issuer = %self.config.issuer,
                    detail = %detail,
                    "single sign-on: the provider is not answering"
                );
                Err(provider_unreachable())
            }
            Err(e) => {
                tracing::warn!(
                    issuer = %self.config.issuer,
                    error = %chain(&e),
                    "single sign-on: the provider's discovery document cannot be used"
                );
                Err(provider_unusable())
            }
        }
    }

    fn client_auth(&self, metadata: &CoreProviderMetadata) -> ClientAuth {
        self.config
            .client_auth
            .unwrap_or_else(|| ClientAuth::for_provider(metadata))
    }

    fn make_client(&self, metadata: CoreProviderMetadata) -> Result<OidcClient, AppError> {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone()).map_err(|e| {
            AppError::Internal(format!(
                "single sign-on redirect address {}: {e}",
                self.config.redirect_url
            ))
        })?;
        let auth = match self.client_auth(&metadata) {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Post => AuthType::RequestBody,
        };
        Ok(OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect)
        .set_auth_type(auth))
    }

    /// Fetches the provider's keys again after `seen` did not know the key of a token, at
    /// most once per `KEYS_REFETCH_SECONDS`; the new keys serve every later sign-in.
    async fn refetch_keys(&self, seen: &Arc<OidcClient>, now: Timestamp) -> Refetch {
        let mut discovered = self.discovered.lock().await;
        let Some(d) = discovered.as_mut() else {
            return Refetch::Failed("the provider is not discovered".into());
        };
        if !Arc::ptr_eq(&d.client, seen) {
            // Another sign-in fetched them meanwhile.
            return Refetch::Fetched(d.client.clone());
        }
        if now < d.keys_fetched.plus_seconds(KEYS_REFETCH_SECONDS) {
            return Refetch::TooSoon;
        }
        // A failed fetch counts too, so a provider that is down is not asked on every try.
        d.keys_fetched = now;
        let keys = match JsonWebKeySet::fetch_async(d.metadata.jwks_uri(), &self.http).await {
            Ok(keys) => keys,
            Err(e) => return Refetch::Failed(chain(&e)),
        };
        tracing::info!(
            issuer = %self.config.issuer,
            keys = keys.keys().len(),
            "single sign-on: fetched the provider's keys again"
        );
        let metadata = d.metadata.clone().set_jwks(keys);
        let client = match self.make_client(metadata.clone()) {
            Ok(c) => Arc::new(c),
            Err(e) => return Refetch::Failed(e.to_string()),
        };
        d.metadata = metadata;
        d.client = client.clone();
        Refetch::Fetched(client)
    }

    /// The user name in `claims`, if the configured claim is there.
    fn username(&self, claims: &ClaimMap) -> Option<String> {
        claims
            .get(&self.config.username_claim)
            .and_then(|v| v.as_str())
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
    }

    /// The provider's roles or groups in `claims`, if the configured claim is there.
    fn granted(&self, claims: &ClaimMap) -> Option<Vec<String>> {
        match claims.get(&self.config.role_claim) {
            Some(serde_json::Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            Some(serde_json::Value::String(one)) => Some(vec![one.clone()]),
            Some(serde_json::Value::Null) | None => None,
            Some(_) => Some(Vec::new()),
        }
    }

    /// The Skjold roles the provider grants.
    fn roles(&self, granted: &[String]) -> Vec<Role> {
        self.config
            .role_map
            .iter()
            .filter(|(claim, _)| granted.contains(claim))
            .map(|(_, role)| *role)
            .collect()
    }
}

/// The claims of an ID token or a userinfo answer, by name.
fn claim_map(claims: &impl Serialize) -> ClaimMap {
    match serde_json::to_value(claims) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => ClaimMap::new(),
    }
}

/// Verifies the ID token's signature and claims with `client`'s keys, at `now`.
fn verify_id_token(
    client: &OidcClient,
    id_token: &OidcIdToken,
    nonce: &Nonce,
    now: Timestamp,
) -> Result<IdTokenClaims<ExtraClaims, CoreGenderClaim>, ClaimsVerificationError> {
    let verifier = client.id_token_verifier().set_time_fn(move || {
        chrono::DateTime::from_timestamp_micros(now.micros()).unwrap_or_default()
    });
    id_token.claims(&verifier, nonce).cloned()
}

/// Whether a token failed for want of the key that signed it: one with a key id the keys
/// do not have, or one without a key id that no key verifies.
fn for_want_of_key(e: &ClaimsVerificationError) -> bool {
    matches!(
        e,
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey | SignatureVerificationError::CryptoError(_)
        )
    )
}

/// An error with its causes, for the log and the recorded detail.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn issuer_mismatch() -> AppError {
    AppError::Refused(Problem::SsoIssuerMismatch)
}

fn provider_unreachable() -> AppError {
    AppError::Refused(Problem::SsoUnreachable)
}

fn provider_unusable() -> AppError {
    AppError::Refused(Problem::SsoProviderUnusable)
}

fn refused() -> AppError {
    AppError::Refused(Problem::SsoRefused)
}

impl App {
    /// Records and logs a refused answer from the provider, and the refusal to show.
    async fn sso_refused(
        &self,
        ws: &Workstation,
        detail: &str,
        username: Option<&str>,
    ) -> AppError {
        self.sso_refused_as(ws, detail, username, refused()).await
    }

    /// Like `sso_refused`, showing `shown` rather than the neutral refusal.
    async fn sso_refused_as(
        &self,
        ws: &Workstation,
        detail: &str,
        username: Option<&str>,
        shown: AppError,
    ) -> AppError {
        tracing::warn!(
            reason = ?detail,
            user = ?username.unwrap_or_default(),
            address = %ws.address,
            "single sign-on answer refused"
        );
        let recorded = self
            .store()
            .sign_in()
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
            Ok(()) => shown,
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
        self.oidc
            .as_deref()
            .ok_or(AppError::Refused(Problem::SsoNotConfigured))
    }

    /// Starts a sign-in at the provider: the address to send the browser to, and the state
    /// the browser must bring back (kept in its cookie).
    pub async fn sso_start(&self) -> Result<(String, String), AppError> {
        let oidc = self.oidc()?;
        let client = oidc.client(self.now()).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scopes(oidc.config.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        let now = self.now();
        self.store()
            .sign_in()
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
        let Some((nonce, verifier)) = self
            .store()
            .sign_in()
            .take_oidc_request(state, self.now())
            .await?
        else {
            return Err(self
                .sso_refused(ws, "ukendt eller udløbet state", None)
                .await);
        };
        let client = oidc.client(self.now()).await?;
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| {
                tracing::warn!(error = %e, "single sign-on: the provider has no token endpoint");
                provider_unusable()
            })?;
        let tokens = match request
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&oidc.http)
            .await
        {
            Ok(t) => t,
            Err(RequestTokenError::Request(e)) => {
                let detail = format!("token-endpointet kan ikke nås: {}", chain(&e));
                let shown = provider_unreachable();
                return Err(self.sso_refused_as(ws, &detail, None, shown).await);
            }
            Err(e) => {
                let detail = format!("kodeudveksling afvist: {}", chain(&e));
                return Err(self.sso_refused(ws, &detail, None).await);
            }
        };
        let Some(id_token) = tokens.id_token() else {
            return Err(self
                .sso_refused(ws, "svaret indeholdt intet ID-token", None)
                .await);
        };
        let nonce = Nonce::new(nonce);
        let now = self.now();
        let (client, claims) = match verify_id_token(&client, id_token, &nonce, now) {
            Ok(c) => (client, c),
            Err(e) if for_want_of_key(&e) => {
                // The provider may have rotated its keys: fetch them again and verify again.
                match oidc.refetch_keys(&client, now).await {
                    Refetch::Fetched(fresh) => match verify_id_token(&fresh, id_token, &nonce, now)
                    {
                        Ok(c) => (fresh, c),
                        Err(e) => {
                            let detail = format!(
                                "ID-token afvist: {} (også med udbyderens nyhentede nøgler)",
                                chain(&e)
                            );
                            return Err(self.sso_refused(ws, &detail, None).await);
                        }
                    },
                    Refetch::TooSoon => {
                        let detail = format!(
                            "ID-token afvist: {} (udbyderens nøgler er hentet for under et minut siden)",
                            chain(&e)
                        );
                        return Err(self.sso_refused(ws, &detail, None).await);
                    }
                    Refetch::Failed(why) => {
                        let detail = format!(
                            "ID-token afvist: {} (udbyderens nøgler kunne ikke hentes igen: {why})",
                            chain(&e)
                        );
                        return Err(self.sso_refused(ws, &detail, None).await);
                    }
                }
            }
            Err(e) => {
                let detail = format!("ID-token afvist: {}", chain(&e));
                return Err(self.sso_refused(ws, &detail, None).await);
            }
        };
        // The profile claims from the ID token, or else from userinfo.
        let in_token = claim_map(&claims);
        let mut username = oidc.username(&in_token);
        let mut granted = oidc.granted(&in_token);
        if username.is_none() || granted.is_none() {
            let info = self
                .sso_userinfo(&client, tokens.access_token(), claims.subject(), ws)
                .await?;
            username = username.or_else(|| oidc.username(&info));
            granted = granted.or_else(|| oidc.granted(&info));
        }
        let Some(username) = username else {
            let detail = format!(
                "hverken ID-tokenet eller userinfo nævner et brugernavn ({})",
                oidc.config.username_claim
            );
            return Err(self.sso_refused(ws, &detail, None).await);
        };
        let named = Some(username.as_str());
        let Some(actor) = self
            .store()
            .directory()
            .actor_by_username(&username)
            .await?
        else {
            return Err(self
                .sso_refused(ws, "ingen aktiv bruger med det navn", named)
                .await);
        };
        if !oidc
            .roles(&granted.unwrap_or_default())
            .contains(&actor.role)
        {
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
        // How the user signed in comes from the ID token only.
        let mfa = claims
            .auth_method_refs()
            .is_some_and(|amr| amr.iter().any(|m| m.as_str() == "mfa"));
        self.after_first_factor(&actor, ws, mfa, "single sign-on")
            .await
    }

    /// The userinfo endpoint's claims for the bearer of `access_token`, used only when they
    /// are about `subject`, the ID token's (OpenID Connect Core 5.3.2).
    async fn sso_userinfo(
        &self,
        client: &OidcClient,
        access_token: &AccessToken,
        subject: &SubjectIdentifier,
        ws: &Workstation,
    ) -> Result<ClaimMap, AppError> {
        let oidc = self.oidc()?;
        let Ok(request) = client.user_info(access_token.clone(), Some(subject.clone())) else {
            let detail = format!(
                "ID-tokenet mangler {} eller {}, og udbyderen har intet userinfo-endpoint",
                oidc.config.username_claim, oidc.config.role_claim
            );
            return Err(self.sso_refused(ws, &detail, None).await);
        };
        let info: UserInfoClaims<ExtraClaims, CoreGenderClaim> =
            match request.request_async(&oidc.http).await {
                Ok(info) => info,
                Err(UserInfoError::ClaimsVerification(
                    ClaimsVerificationError::InvalidSubject(why),
                )) => {
                    let detail = format!("userinfo-svaret gælder en anden bruger (sub): {why}");
                    return Err(self.sso_refused(ws, &detail, None).await);
                }
                Err(UserInfoError::Request(e)) => {
                    let detail = format!("userinfo kan ikke nås: {}", chain(&e));
                    let shown = provider_unreachable();
                    return Err(self.sso_refused_as(ws, &detail, None, shown).await);
                }
                Err(e) => {
                    let detail = format!("userinfo afvist: {}", chain(&e));
                    return Err(self.sso_refused(ws, &detail, None).await);
                }
            };
        // Checked by the request already; checked here too, as the standard requires.
        if info.subject() != subject {
            let detail = format!(
                "userinfo-svaret gælder en anden bruger (sub): `{}`, ikke `{}`",
                info.subject().as_str(),
                subject.as_str()
            );
            return Err(self.sso_refused(ws, &detail, None).await);
        }
        Ok(claim_map(&info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse() {
        assert_eq!(
            OidcConfig::parse_scopes("openid profile roles, email roles"),
            vec!["roles".to_owned(), "email".to_owned()]
        );
        assert!(OidcConfig::parse_scopes(" ").is_empty());
        assert_eq!(ClientAuth::parse("post"), Ok(ClientAuth::Post));
        assert_eq!(
            ClientAuth::parse("Client_Secret_Basic"),
            Ok(ClientAuth::Basic)
        );
        assert!(ClientAuth::parse("private_key_jwt").is_err());
    }
}

//! The identity provider as Skjold sees it: its settings, discovery, the client, the
//! signing keys (fetched again, at most once a minute, when a token names an unknown one),
//! and reading user name and roles from its claims.

use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClientAuthMethod, CoreErrorResponseType, CoreGenderClaim,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, ClaimsVerificationError, Client, ClientId, ClientSecret,
    DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken,
    IdTokenClaims, IdTokenFields, IssuerUrl, JsonWebKeySet, Nonce, RedirectUrl,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

use skjold_core::{Problem, Role, Timestamp};

use crate::AppError;

/// How long a sign-in may stay at the identity provider.
pub(super) const REQUEST_SECONDS: i64 = 10 * 60;

/// The provider's keys are fetched again at most this often, however many tokens name an
/// unknown key.
pub(super) const KEYS_REFETCH_SECONDS: i64 = 60;

/// The claims beyond the standard ones (the role claim among them), by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

pub(super) type Fields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

pub(super) type OidcIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Claims by name, as the ID token or the userinfo endpoint gave them.
pub(super) type ClaimMap = serde_json::Map<String, serde_json::Value>;

pub(super) type OidcClient = Client<
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
    pub(super) fn for_provider(metadata: &CoreProviderMetadata) -> ClientAuth {
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

    pub(super) fn name(self) -> &'static str {
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
    pub(super) config: OidcConfig,
    pub(super) http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Discovered>>,
}

/// What fetching the keys again gave.
pub(super) enum Refetch {
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
    pub(super) async fn client(&self, now: Timestamp) -> Result<Arc<OidcClient>, AppError> {
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
    pub(super) async fn discover(&self) -> Result<CoreProviderMetadata, AppError> {
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

    pub(super) fn client_auth(&self, metadata: &CoreProviderMetadata) -> ClientAuth {
        self.config
            .client_auth
            .unwrap_or_else(|| ClientAuth::for_provider(metadata))
    }

    pub(super) fn make_client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> Result<OidcClient, AppError> {
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
    pub(super) async fn refetch_keys(&self, seen: &Arc<OidcClient>, now: Timestamp) -> Refetch {
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
    pub(super) fn username(&self, claims: &ClaimMap) -> Option<String> {
        claims
            .get(&self.config.username_claim)
            .and_then(|v| v.as_str())
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
    }

    /// The provider's roles or groups in `claims`, if the configured claim is there.
    pub(super) fn granted(&self, claims: &ClaimMap) -> Option<Vec<String>> {
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
    pub(super) fn roles(&self, granted: &[String]) -> Vec<Role> {
        self.config
            .role_map
            .iter()
            .filter(|(claim, _)| granted.contains(claim))
            .map(|(_, role)| *role)
            .collect()
    }
}

/// The claims of an ID token or a userinfo answer, by name.
pub(super) fn claim_map(claims: &impl Serialize) -> ClaimMap {
    match serde_json::to_value(claims) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => ClaimMap::new(),
    }
}

/// Verifies the ID token's signature and claims with `client`'s keys, at `now`.
pub(super) fn verify_id_token(
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
pub(super) fn for_want_of_key(e: &ClaimsVerificationError) -> bool {
    matches!(
        e,
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey | SignatureVerificationError::CryptoError(_)
        )
    )
}

/// An error with its causes, for the log and the recorded detail.
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(super) fn issuer_mismatch() -> AppError {
    AppError::Refused(Problem::SsoIssuerMismatch)
}

pub(super) fn provider_unreachable() -> AppError {
    AppError::Refused(Problem::SsoUnreachable)
}

pub(super) fn provider_unusable() -> AppError {
    AppError::Refused(Problem::SsoProviderUnusable)
}

pub(super) fn refused() -> AppError {
    AppError::Refused(Problem::SsoRefused)
}

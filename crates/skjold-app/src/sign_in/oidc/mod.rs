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

mod provider;

pub use provider::{ClientAuth, ExtraClaims, Oidc, OidcConfig};

use std::sync::Arc;

use openidconnect::core::{CoreAuthenticationFlow, CoreGenderClaim};
use openidconnect::{
    AccessToken, AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RequestTokenError, Scope, SubjectIdentifier,
    TokenResponse, UserInfoClaims, UserInfoError,
};

use skjold_core::sign_in::Workstation;
use skjold_core::{Cpr, Problem};
use skjold_store::sign_in::{new_secret, secret_hash};

use super::security::username_key;
use super::{SignIn, constant_time_eq};
use crate::citizen_view::CitizenSession;
use crate::{App, AppError};
use provider::*;

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

    /// Signs citizens in to their own view through `oidc` (a MitID broker) from now on.
    /// Its `username_claim` names the claim that carries the CPR number.
    pub fn with_citizen_oidc(mut self, oidc: Oidc) -> App {
        self.citizen_oidc = Some(Arc::new(oidc));
        self
    }

    /// The citizens' provider's name, when it is set up.
    pub fn citizen_sso_name(&self) -> Option<&str> {
        self.citizen_oidc.as_deref().map(Oidc::display_name)
    }

    fn citizen_oidc(&self) -> Result<&Oidc, AppError> {
        self.citizen_oidc
            .as_deref()
            .ok_or(AppError::Refused(Problem::SsoNotConfigured))
    }

    /// Starts a citizen's sign-in at the MitID broker.
    pub async fn citizen_sso_start(&self) -> Result<(String, String), AppError> {
        self.oidc_start(self.citizen_oidc()?, Audience::Citizen)
            .await
    }

    /// Finishes a citizen's sign-in: the CPR number comes from the broker's claim (or its
    /// userinfo, about the same subject), is matched by keyed hash, and is never stored or
    /// logged in clear. A citizen the municipality holds no record of is told so.
    pub async fn citizen_sso_finish(
        &self,
        cookie_state: &str,
        state: &str,
        code: &str,
        ws: &Workstation,
    ) -> Result<CitizenSession, AppError> {
        let oidc = self.citizen_oidc()?;
        let answer = self
            .oidc_answer(oidc, Audience::Citizen, cookie_state, state, code, ws)
            .await?;
        let mut cpr = oidc.username(&claim_map(&answer.claims));
        if cpr.is_none() {
            let info = self
                .sso_userinfo(
                    oidc,
                    &answer.client,
                    &answer.access_token,
                    answer.claims.subject(),
                    ws,
                )
                .await?;
            cpr = oidc.username(&info);
        }
        let Some(cpr) = cpr.and_then(|c| Cpr::parse(&c).ok()) else {
            let detail = format!(
                "borger-log-ind: hverken ID-tokenet eller userinfo har et gyldigt CPR-nummer ({})",
                oidc.config.username_claim
            );
            return Err(self.sso_refused(ws, &detail, None).await);
        };
        let now = self.now();
        let Some(subject_id) = self.store().gate().citizen_sign_in(&cpr, now).await? else {
            let shown = AppError::Refused(Problem::CitizenNotKnown);
            let detail = "borger-log-ind: kommunen har ingen oplysninger om borgeren";
            return Err(self.sso_refused_as(ws, detail, None, shown).await);
        };
        let token = new_secret();
        let csrf = new_secret();
        self.store()
            .sign_in()
            .create_citizen_session(
                subject_id,
                &secret_hash(&token),
                &csrf,
                now,
                now.plus_seconds(skjold_core::citizen_view::SESSION_SECONDS),
            )
            .await?;
        let (citizen, _) = self
            .citizen_session(&token)
            .await?
            .ok_or_else(|| AppError::Internal("a citizen's session just made is gone".into()))?;
        Ok(CitizenSession {
            token,
            csrf,
            citizen,
        })
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

    /// Starts a staff sign-in at the provider: the address to send the browser to, and
    /// the state the browser must bring back (kept in its cookie).
    pub async fn sso_start(&self) -> Result<(String, String), AppError> {
        self.oidc_start(self.oidc()?, Audience::Staff).await
    }

    async fn oidc_start(
        &self,
        oidc: &Oidc,
        audience: Audience,
    ) -> Result<(String, String), AppError> {
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
                audience.key(),
                state.secret(),
                nonce.secret(),
                verifier.secret(),
                now,
                now.plus_seconds(REQUEST_SECONDS),
            )
            .await?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Checks the provider's answer to a sign-in of `audience`: the state against the
    /// browser's and the stored request, the code exchanged with PKCE, the ID token's
    /// signature (with the provider's keys fetched again if need be), nonce, audience,
    /// issuer and time. `cookie_state` is what the browser kept; `state` and `code` came
    /// back in the address.
    async fn oidc_answer(
        &self,
        oidc: &Oidc,
        audience: Audience,
        cookie_state: &str,
        state: &str,
        code: &str,
        ws: &Workstation,
    ) -> Result<Answer, AppError> {
        if cookie_state.is_empty() || !constant_time_eq(cookie_state.as_bytes(), state.as_bytes()) {
            return Err(self
                .sso_refused(ws, "state passer ikke til browserens", None)
                .await);
        }
        let Some((nonce, verifier)) = self
            .store()
            .sign_in()
            .take_oidc_request(audience.key(), state, self.now())
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
        Ok(Answer {
            client,
            claims,
            access_token: tokens.access_token().clone(),
        })
    }

    /// Finishes a staff sign-in with the provider's answer. `cookie_state` is what the
    /// browser kept; `state` and `code` came back in the address.
    pub async fn sso_finish(
        &self,
        cookie_state: &str,
        state: &str,
        code: &str,
        ws: &Workstation,
    ) -> Result<SignIn, AppError> {
        let oidc = self.oidc()?;
        let Answer {
            client,
            claims,
            access_token,
        } = self
            .oidc_answer(oidc, Audience::Staff, cookie_state, state, code, ws)
            .await?;
        // The profile claims from the ID token, or else from userinfo.
        let in_token = claim_map(&claims);
        let mut username = oidc.username(&in_token);
        let mut granted = oidc.granted(&in_token);
        if username.is_none() || granted.is_none() {
            let info = self
                .sso_userinfo(oidc, &client, &access_token, claims.subject(), ws)
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
        oidc: &Oidc,
        client: &OidcClient,
        access_token: &AccessToken,
        subject: &SubjectIdentifier,
        ws: &Workstation,
    ) -> Result<ClaimMap, AppError> {
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

/// Which sign-in a request at the provider belongs to: a state started for one never
/// finishes the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    Staff,
    Citizen,
}

impl Audience {
    fn key(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Citizen => "citizen",
        }
    }
}

/// A checked answer from the provider: the client that checked it, the ID token's claims,
/// and the access token for userinfo.
struct Answer {
    client: Arc<OidcClient>,
    claims: openidconnect::IdTokenClaims<ExtraClaims, CoreGenderClaim>,
    access_token: AccessToken,
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

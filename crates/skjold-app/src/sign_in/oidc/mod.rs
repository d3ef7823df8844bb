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

use skjold_core::Problem;
use skjold_core::sign_in::Workstation;

use super::security::username_key;
use super::{SignIn, constant_time_eq};
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

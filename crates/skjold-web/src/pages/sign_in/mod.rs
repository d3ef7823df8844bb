//! Signing in and out: the password form, single sign-on, and the way on to a second
//! factor or a new password. The rooms: [`second_factor`], [`passwords`] and [`security`]
//! (the administrator's settings and blocks, the sign-in report).

pub mod passwords;
pub mod second_factor;
pub mod security;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

use skjold_app::AppError;
use skjold_app::sign_in::{SignIn, new_token};

use super::{Layout, error_page, home_of, render, words};
use crate::AppState;
use crate::session::{
    Client, CsrfForm, LOGIN_COOKIE, PENDING_COOKIE, SESSION_COOKIE, WebUser, login_cookie,
    pending_cookie, session_cookie, tokens_match,
};

/// The form's double-submit token had expired or did not match.
const FORM_EXPIRED: &str = "Formularen var udløbet. Prøv igen.";

pub async fn home(user: WebUser) -> Redirect {
    Redirect::to(home_of(user.actor.role))
}

#[derive(Template)]
#[template(path = "sign_in/login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    login_csrf: String,
    username: String,
    sso: Option<String>,
}

pub(crate) fn login_form(
    state: &AppState,
    jar: CookieJar,
    error: Option<String>,
    username: String,
) -> Response {
    let token = new_token();
    let jar = jar.add(login_cookie(token.clone(), state.config.secure_cookies));
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let page = LoginPage {
        layout: Layout::anonymous(),
        error,
        login_csrf: token,
        username,
        sso: state.app.sso_name().map(str::to_owned),
    };
    (status, jar, render(&page)).into_response()
}

pub async fn login_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    login_form(&state, jar, None, String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    login_csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Client(ws): Client,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let expected = jar
        .get(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !tokens_match(&form.login_csrf, &expected) {
        return login_form(&state, jar, Some(FORM_EXPIRED.into()), form.username);
    }
    match state.app.sign_in(&form.username, &form.password, &ws).await {
        Ok(next) => onwards(
            &state,
            jar.remove(Cookie::build(LOGIN_COOKIE).path("/login")),
            next,
        ),
        Err(AppError::Refused(p)) => login_form(&state, jar, Some(words(&p)), form.username),
        Err(e) => error_page(None, e),
    }
}

/// Where a sign-in goes next: in, or on to the second factor or a new password.
pub(crate) fn onwards(state: &AppState, jar: CookieJar, next: SignIn) -> Response {
    let secure = state.config.secure_cookies;
    let pending = |token: String, to: &str| {
        let jar = jar.clone().add(pending_cookie(token, secure));
        (jar, Redirect::to(to)).into_response()
    };
    match next {
        SignIn::Done(session) => {
            let jar = jar
                .clone()
                .remove(Cookie::build(PENDING_COOKIE).path("/login"))
                .add(session_cookie(session.token, secure));
            (jar, Redirect::to(home_of(session.actor.role))).into_response()
        }
        SignIn::SecondFactor { token, .. } => pending(token, "/login/engangskode"),
        SignIn::NewPassword { token, .. } => pending(token, "/login/ny-adgangskode"),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    if let Err(e) = state.app.logout(&user.token).await {
        return error_page(Some(&user), e);
    }
    (
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response()
}

// ---- single sign-on -----------------------------------------------------------------------

/// Carries the state of a sign-in at the identity provider, for the way back.
const SSO_COOKIE: &str = "skjold_sso";

pub async fn sso_start(State(state): State<AppState>, jar: CookieJar) -> Response {
    match state.app.sso_start().await {
        Ok((url, sso_state)) => {
            // Lax, not Strict: the provider's redirect back is a cross-site navigation.
            let cookie = Cookie::build((SSO_COOKIE, sso_state))
                .http_only(true)
                .secure(state.config.secure_cookies)
                .same_site(SameSite::Lax)
                .path("/login/sso")
                .build();
            (jar.add(cookie), Redirect::to(&url)).into_response()
        }
        Err(e) => error_page(None, e),
    }
}

#[derive(Deserialize)]
pub struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    error: Option<String>,
}

pub async fn sso_callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Client(ws): Client,
    Query(cb): Query<Callback>,
) -> Response {
    let cookie_state = jar
        .get(SSO_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let jar = jar.remove(Cookie::build(SSO_COOKIE).path("/login/sso"));
    if let Some(error) = cb.error {
        tracing::warn!(
            reason = ?error,
            address = %ws.address,
            "single sign-on: the provider answered with an error"
        );
        let detail = format!("udbyderen svarede {error}");
        if let Err(e) = state
            .app
            .record_refusal("oidc_rejected", None, &ws, &detail)
            .await
        {
            return error_page(None, e);
        }
        let message = "Log-ind hos identitetsudbyderen blev afbrudt eller afvist.";
        return login_form(&state, jar, Some(message.into()), String::new());
    }
    match state
        .app
        .sso_finish(&cookie_state, &cb.state, &cb.code, &ws)
        .await
    {
        Ok(next) => onwards(&state, jar, next),
        Err(AppError::Refused(p)) => login_form(&state, jar, Some(words(&p)), String::new()),
        Err(e) => error_page(None, e),
    }
}

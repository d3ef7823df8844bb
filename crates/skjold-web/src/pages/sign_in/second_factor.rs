//! The second factor: entering the authenticator's code, or setting one up.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use skjold_app::AppError;

use super::{FORM_EXPIRED, onwards};
use crate::AppState;
use crate::pages::{Layout, error_page, render, words};
use crate::session::{Client, PENDING_COOKIE, tokens_match};

#[derive(Template)]
#[template(path = "sign_in/second_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    error: Option<String>,
    csrf: String,
    enrol: bool,
    secret: String,
    qr_svg: String,
    username: String,
    /// In a demo server only: the code that signs the demo user in now.
    demo_code: Option<String>,
}

/// A six-digit code as an authenticator app shows it: «123 456».
fn spaced(code: &str) -> String {
    if code.len() == 6 && code.is_ascii() {
        format!("{} {}", &code[..3], &code[3..])
    } else {
        code.to_owned()
    }
}

/// An `otpauth://` address as an SVG QR code, for the authenticator app's camera.
fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

/// The waiting sign-in's token, from its cookie.
pub(crate) fn pending_token(jar: &CookieJar) -> String {
    jar.get(PENDING_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

async fn second_factor_form(state: &AppState, token: &str, error: Option<String>) -> Response {
    let page = async {
        let pending = state.app.pending_sign_in(token).await?;
        if pending.new_password {
            return Ok(None);
        }
        let (secret, qr_svg, demo_code) = if pending.enrol {
            let e = state.app.enrolment(token).await?;
            let qr = qr_svg(&e.url);
            (e.secret, qr, None)
        } else {
            let code = state.app.demo_totp_code(&pending.username).await?;
            (String::new(), String::new(), code.map(|c| spaced(&c)))
        };
        Ok::<_, AppError>(Some(SecondFactorPage {
            layout: Layout::anonymous(),
            error,
            csrf: pending.csrf,
            enrol: pending.enrol,
            secret,
            qr_svg,
            username: pending.username,
            demo_code,
        }))
    }
    .await;
    match page {
        Ok(Some(page)) => {
            let status = if page.error.is_some() {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::OK
            };
            (status, render(&page)).into_response()
        }
        Ok(None) => Redirect::to("/login/ny-adgangskode").into_response(),
        Err(e @ AppError::Internal(_)) => error_page(None, e),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub async fn page(State(state): State<AppState>, jar: CookieJar) -> Response {
    second_factor_form(&state, &pending_token(&jar), None).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    Client(ws): Client,
    axum::Form(form): axum::Form<CodeForm>,
) -> Response {
    let token = pending_token(&jar);
    let pending = match state.app.pending_sign_in(&token).await {
        Ok(p) => p,
        Err(_) => return Redirect::to("/login").into_response(),
    };
    if !tokens_match(&form.csrf, &pending.csrf) {
        return second_factor_form(&state, &token, Some(FORM_EXPIRED.into())).await;
    }
    match state.app.second_factor(&token, &form.code, &ws).await {
        Ok(next) => onwards(&state, jar, next),
        Err(AppError::Refused(p)) => second_factor_form(&state, &token, Some(words(&p))).await,
        Err(e) => error_page(None, e),
    }
}

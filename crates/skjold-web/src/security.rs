//! Pages of sign-in security: the second factor, the administrator's settings and blocks,
//! the controller's sign-in report, and the access review.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::auth::{MIN_PASSWORD, SignIn};
use skjold_app::review::{AccessReview, ReviewState};
use skjold_app::security::{SecuritySettings, SettingsInput, SignInReport, event_kind_danish};
use skjold_core::Role;
use skjold_store::security::Block;

use crate::AppState;
use crate::html::{
    Flash, Layout, NO_FLASH, answer, capitalise, error_response, home_of, parse_id, render,
    status_for,
};
use crate::session::{
    Client, CsrfForm, PENDING_COOKIE, WebUser, pending_cookie, session_cookie, tokens_match,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/login/engangskode",
            get(second_factor_page).post(second_factor),
        )
        .route(
            "/login/ny-adgangskode",
            get(new_password_page).post(new_password),
        )
        .route(
            "/konto/adgangskode",
            get(change_password_page).post(change_password),
        )
        .route("/login/sso", get(sso_start))
        .route("/login/sso/callback", get(sso_callback))
        .route("/admin/sikkerhed", get(security).post(save_settings))
        .route("/admin/sikkerhed/spaerringer/{id}", post(unblock))
        .route(
            "/admin/sikkerhed/engangskode/{id}",
            post(reset_second_factor),
        )
        .route(
            "/admin/sikkerhed/adgangskode/{id}",
            post(require_password_reset),
        )
        .route("/admin/gennemgang", get(review))
        .route("/admin/gennemgang/{id}", post(decide))
        .route("/tilsyn/log-ind", get(report))
}

// ---- second factor -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "second_factor.html")]
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

async fn second_factor_form(state: &AppState, token: &str, error: Option<String>) -> Response {
    let page = async {
        let pending = state.app.pending_sign_in(token).await?;
        if pending.new_password {
            return Ok(None);
        }
        let (secret, qr) = if pending.enrol {
            let e = state.app.enrolment(token).await?;
            let qr = qr_svg(&e.url);
            (e.secret, qr)
        } else {
            (String::new(), String::new())
        };
        let demo_code = if pending.enrol {
            None
        } else {
            state
                .app
                .demo_totp_code(&pending.actor.username)
                .await?
                .map(|c| spaced(&c))
        };
        Ok::<_, AppError>(Some(SecondFactorPage {
            layout: Layout::anonymous(),
            error,
            csrf: pending.csrf,
            enrol: pending.enrol,
            secret,
            qr_svg: qr,
            username: pending.actor.username,
            demo_code,
        }))
    }
    .await;
    let page = match page {
        Ok(Some(page)) => Ok(page),
        Ok(None) => return Redirect::to("/login/ny-adgangskode").into_response(),
        Err(e) => Err(e),
    };
    match page {
        Ok(page) => {
            let status = if page.error.is_some() {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::OK
            };
            (status, render(&page)).into_response()
        }
        Err(AppError::Internal(d)) => error_response(None, AppError::Internal(d)),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

fn pending_token(jar: &CookieJar) -> String {
    jar.get(PENDING_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

async fn second_factor_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    second_factor_form(&state, &pending_token(&jar), None).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn second_factor(
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
        return second_factor_form(
            &state,
            &token,
            Some("Formularen var udløbet. Prøv igen.".into()),
        )
        .await;
    }
    match state.app.second_factor(&token, &form.code, &ws).await {
        Ok(SignIn::Done(session)) => {
            let jar = jar
                .remove(Cookie::build(PENDING_COOKIE).path("/login"))
                .add(session_cookie(session.token, state.config.secure_cookies));
            (jar, Redirect::to(home_of(session.actor.role))).into_response()
        }
        Ok(SignIn::NewPassword { token, .. }) => to_new_password(&state, jar, token),
        Ok(SignIn::SecondFactor { token, .. }) => to_second_factor(&state, jar, token),
        Err(AppError::Internal(d)) => error_response(None, AppError::Internal(d)),
        Err(e) => second_factor_form(&state, &token, Some(capitalise(&e.to_string()))).await,
    }
}

/// After a correct password for a role with a second factor: on to the code.
pub(crate) fn to_second_factor(state: &AppState, jar: CookieJar, token: String) -> Response {
    let jar = jar.add(pending_cookie(token, state.config.secure_cookies));
    (jar, Redirect::to("/login/engangskode")).into_response()
}

/// After every factor, when an administrator requires a new password: on to choosing it.
pub(crate) fn to_new_password(state: &AppState, jar: CookieJar, token: String) -> Response {
    let jar = jar.add(pending_cookie(token, state.config.secure_cookies));
    (jar, Redirect::to("/login/ny-adgangskode")).into_response()
}

// ---- passwords ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "new_password.html")]
struct NewPasswordPage {
    layout: Layout,
    error: Option<String>,
    csrf: String,
    min_length: usize,
}

async fn new_password_form(state: &AppState, token: &str, error: Option<String>) -> Response {
    match state.app.pending_sign_in(token).await {
        Ok(pending) if pending.new_password => {
            let status = status_for(&error);
            let page = NewPasswordPage {
                layout: Layout::anonymous(),
                error,
                csrf: pending.csrf,
                min_length: MIN_PASSWORD,
            };
            (status, render(&page)).into_response()
        }
        Ok(_) => Redirect::to("/login/engangskode").into_response(),
        Err(AppError::Internal(d)) => error_response(None, AppError::Internal(d)),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

async fn new_password_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    new_password_form(&state, &pending_token(&jar), None).await
}

#[derive(Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

async fn new_password(
    State(state): State<AppState>,
    jar: CookieJar,
    Client(ws): Client,
    axum::Form(form): axum::Form<NewPasswordForm>,
) -> Response {
    let token = pending_token(&jar);
    let pending = match state.app.pending_sign_in(&token).await {
        Ok(p) => p,
        Err(_) => return Redirect::to("/login").into_response(),
    };
    if !tokens_match(&form.csrf, &pending.csrf) {
        return new_password_form(
            &state,
            &token,
            Some("Formularen var udløbet. Prøv igen.".into()),
        )
        .await;
    }
    match state
        .app
        .choose_new_password(&token, &form.new_password, &form.repeat_password, &ws)
        .await
    {
        Ok(session) => {
            let jar = jar
                .remove(Cookie::build(PENDING_COOKIE).path("/login"))
                .add(session_cookie(session.token, state.config.secure_cookies));
            (jar, Redirect::to(home_of(session.actor.role))).into_response()
        }
        Err(AppError::Internal(d)) => error_response(None, AppError::Internal(d)),
        Err(e @ AppError::Invalid { .. }) => {
            new_password_form(&state, &token, Some(capitalise(&e.to_string()))).await
        }
        // Blocked, or the waiting sign-in is gone: start again.
        Err(e) => crate::html::login_form(
            &state,
            jar.remove(Cookie::build(PENDING_COOKIE).path("/login")),
            Some(capitalise(&e.to_string())),
            String::new(),
        ),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    error: Option<String>,
    csrf: String,
    min_length: usize,
}

fn password_page(user: &WebUser, flash: &Flash, error: Option<String>) -> Response {
    let status = status_for(&error);
    let page = PasswordPage {
        layout: Layout::for_user(user, "/konto/adgangskode").with_flash(flash),
        error,
        csrf: user.csrf.clone(),
        min_length: MIN_PASSWORD,
    };
    (status, render(&page)).into_response()
}

async fn change_password_page(user: WebUser, Query(flash): Query<Flash>) -> Response {
    password_page(&user, &flash, None)
}

#[derive(Deserialize)]
struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    Client(ws): Client,
    CsrfForm(user, f): CsrfForm<ChangePasswordForm>,
) -> Response {
    let result = state
        .app
        .change_password(
            &user.token,
            &f.current_password,
            &f.new_password,
            &f.repeat_password,
            &ws,
        )
        .await;
    match result {
        Ok(()) => Redirect::to("/konto/adgangskode?ok=adgangskode").into_response(),
        // Refusals (a wrong current password, a block, a new password that will not do)
        // are explained on the form; a 403 here would be recorded as a refused authorisation.
        Err(e @ (AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
            password_page(&user, &NO_FLASH, Some(capitalise(&e.to_string())))
        }
        Err(e) => error_response(Some(&user), e),
    }
}

// ---- single sign-on -----------------------------------------------------------------------

/// Carries the state of a sign-in at the identity provider, for the way back.
const SSO_COOKIE: &str = "skjold_sso";

async fn sso_start(State(state): State<AppState>, jar: CookieJar) -> Response {
    match state.app.sso_start().await {
        Ok((url, sso_state)) => {
            // Lax, not Strict: the provider's redirect back is a cross-site navigation.
            let cookie = Cookie::build((SSO_COOKIE, sso_state))
                .http_only(true)
                .secure(state.config.secure_cookies)
                .same_site(axum_extra::extract::cookie::SameSite::Lax)
                .path("/login/sso")
                .build();
            (jar.add(cookie), Redirect::to(&url)).into_response()
        }
        Err(e) => error_response(None, e),
    }
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    error: Option<String>,
}

async fn sso_callback(
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
        let result = state
            .app
            .record_refusal(
                "oidc_rejected",
                None,
                &ws,
                &format!("udbyderen svarede {error}"),
            )
            .await;
        if let Err(e) = result {
            return error_response(None, e);
        }
        let message = "Log-ind hos identitetsudbyderen blev afbrudt eller afvist.";
        return crate::html::login_form(&state, jar, Some(message.into()), String::new());
    }
    match state
        .app
        .sso_finish(&cookie_state, &cb.state, &cb.code, &ws)
        .await
    {
        Ok(SignIn::Done(session)) => {
            let jar = jar.add(session_cookie(session.token, state.config.secure_cookies));
            (jar, Redirect::to(home_of(session.actor.role))).into_response()
        }
        Ok(SignIn::SecondFactor { token, .. }) => to_second_factor(&state, jar, token),
        Ok(SignIn::NewPassword { token, .. }) => to_new_password(&state, jar, token),
        Err(AppError::Internal(d)) => error_response(None, AppError::Internal(d)),
        Err(e) => {
            crate::html::login_form(&state, jar, Some(capitalise(&e.to_string())), String::new())
        }
    }
}

// ---- settings and blocks -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    settings: SecuritySettings,
    blocks: Vec<Block>,
    roles: [Role; 5],
}

async fn security_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let a = &user.actor;
    if a.role != Role::Administrator {
        return error_response(
            Some(user),
            AppError::forbidden("administrator_only", "kun administratorer kan gøre dette"),
        );
    }
    match state.app.sign_in_report(a).await {
        Ok(report) => {
            let now = state.app.now();
            let page = SecurityPage {
                layout: Layout::for_user(user, "/admin/sikkerhed").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                settings: report.settings,
                blocks: report
                    .blocks
                    .into_iter()
                    .filter(|b| b.active(now))
                    .collect(),
                roles: Role::ALL,
            };
            (status_for(&error), render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn security(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    security_page(&state, &user, &flash, None).await
}

async fn save_settings(
    State(state): State<AppState>,
    Client(ws): Client,
    CsrfForm(user, raw): CsrfForm<Vec<(String, String)>>,
) -> Response {
    // Checked roles arrive as `totp_roles=…` once each, so the form is read as pairs.
    let mut input = SettingsInput::default();
    for (k, v) in raw {
        match k.as_str() {
            "lockout_threshold" => input.lockout_threshold = v,
            "lockout_window_hours" => input.lockout_window_hours = v,
            "block_minutes" => input.block_minutes = v,
            "totp_roles" => input.totp_roles.push(v),
            _ => {}
        }
    }
    let result = state
        .app
        .set_security_settings(Some(&user.actor), &input, &ws)
        .await
        .map(|_| "/admin/sikkerhed?ok=gemt".to_owned());
    answer(&user, result, |error| {
        security_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn unblock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Client(ws): Client,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "spærring")?;
        state.app.unblock(&user.actor, id, &f.reason, &ws).await?;
        Ok("/admin/sikkerhed?ok=ophaevet".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        security_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

async fn require_password_reset(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Client(ws): Client,
    CsrfForm(user, _): CsrfForm<ReasonForm>,
) -> Response {
    let result = async {
        let id: Uuid = parse_id(&id, "bruger")?;
        state
            .app
            .require_password_reset(&user.actor, id, &ws)
            .await?;
        Ok("/admin/gennemgang?ok=ny-adgangskode".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

async fn reset_second_factor(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Client(ws): Client,
    CsrfForm(user, _): CsrfForm<ReasonForm>,
) -> Response {
    let result = async {
        let id: Uuid = parse_id(&id, "bruger")?;
        state.app.reset_second_factor(&user.actor, id, &ws).await?;
        Ok("/admin/gennemgang?ok=nulstillet".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

// ---- the controller's report ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in_report.html")]
struct ReportPage {
    layout: Layout,
    report: SignInReport,
    now: skjold_core::Timestamp,
}

impl ReportPage {
    fn kind(&self, kind: &str) -> &'static str {
        event_kind_danish(kind)
    }
}

async fn report(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.sign_in_report(&user.actor).await {
        Ok(report) => render(&ReportPage {
            layout: Layout::for_user(&user, "/tilsyn/log-ind"),
            report,
            now: state.app.now(),
        }),
        Err(e) => error_response(Some(&user), e),
    }
}

// ---- access review -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "access_review.html")]
struct ReviewPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    review: AccessReview,
}

impl ReviewPage {
    fn state(&self, s: &ReviewState) -> &'static str {
        match s {
            ReviewState::Due => "Skal bekræftes",
            ReviewState::Inactive => "Deaktiveret",
            ReviewState::Current => "Bekræftet",
        }
    }

    fn decision(&self, d: &str) -> &'static str {
        match d {
            "confirmed" => "Rolle bekræftet",
            "revoked" => "Rolle fjernet",
            "suspended" => "Suspenderet automatisk",
            _ => "Anden",
        }
    }

    fn role(&self, key: &str) -> &'static str {
        Role::parse(key).map_or("", Role::danish)
    }
}

async fn review_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    match state.app.access_review(&user.actor).await {
        Ok(review) => {
            let page = ReviewPage {
                layout: Layout::for_user(user, "/admin/gennemgang").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                review,
            };
            (status_for(&error), render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn review(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    review_page(&state, &user, &flash, None).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "bruger")?;
        let confirm = match f.decision.as_str() {
            "confirm" => true,
            "revoke" => false,
            _ => {
                return Err(AppError::invalid(
                    "bad_decision",
                    "vælg bekræft eller fjern",
                ));
            }
        };
        state
            .app
            .review_user(&user.actor, id, confirm, &f.note)
            .await?;
        Ok("/admin/gennemgang?ok=gennemgaaet".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

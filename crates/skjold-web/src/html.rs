//! The Danish HTML UI. Core flows work without JavaScript: plain links and forms, each form
//! with its CSRF token, each error shown in Danish on the page it came from.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::auth::SignIn;
use skjold_app::ops::{DpaInput, OversightQuery, PurposeInput, ServiceTypeInput};
use skjold_core::{Art6Basis, Art9Basis, Category, Date, DisclosureRule, FieldKey, Role};
use skjold_store::gate::{
    GeneralThreadSummary, GeneralThreadView, NewOrder, OpenRequest, ThreadView,
};
use skjold_store::*;

use crate::AppState;
use crate::error::{log_internal, status_of};
use crate::session::{
    Client, CsrfForm, CsrfMultipart, LOGIN_COOKIE, SESSION_COOKIE, WebUser, login_cookie,
    session_cookie, tokens_match,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/borgere", get(citizens))
        .route("/borgere/soeg", post(search))
        .route("/borgere/{id}", get(citizen))
        .route("/borgere/{id}/bestil", get(preview))
        .route("/borgere/{id}/samtykke", post(record_consent))
        .route(
            "/borgere/{id}/samtykke/{channel}/tilbagekald",
            post(withdraw_consent),
        )
        .route("/bestillinger/{id}/paamindelse", post(send_reminder))
        .route("/bestillinger", post(place_order))
        .route("/bestillinger/{id}", get(order))
        .route("/bestillinger/{id}/videregiv", post(disclose))
        .route(
            "/bestillinger/{id}/afslut",
            get(close_order_page).post(close_order),
        )
        .route(
            "/bestillinger/{id}/stedfortraeder",
            get(stand_in_page).post(open_stand_in),
        )
        .route(
            "/leverandoer/bestillinger/{id}/sletning",
            post(confirm_deletion),
        )
        .route("/tilsyn", get(follow_up))
        .route("/tilsyn/stedfortraeder/{id}", post(follow_up_stand_in))
        .route(
            "/bestillinger/{id}/besked",
            post(caseworker_message)
                .layer(DefaultBodyLimit::max(crate::session::MAX_MULTIPART_BYTES)),
        )
        .route("/vedhaeftninger/{id}", get(attachment))
        .route("/beskeder", get(general_threads))
        .route(
            "/beskeder/{org}",
            get(general_thread)
                .post(general_message)
                .layer(DefaultBodyLimit::max(crate::session::MAX_MULTIPART_BYTES)),
        )
        .route("/beskeder/vedhaeftninger/{id}", get(general_attachment))
        .route("/anmodninger/{id}", post(decide_request))
        .route(
            "/leverandoer/bestillinger/{id}/besked",
            post(supplier_message),
        )
        .route(
            "/leverandoer/bestillinger/{id}/anmodning",
            post(request_data),
        )
        .route("/leverandoer", get(supplier_orders))
        .route("/leverandoer/bestillinger/{id}", get(supplier_order))
        .route("/tilsyn/videregivelser", get(ledger).post(ledger_filtered))
        .route(
            "/tilsyn/adgangslog",
            get(access_log).post(access_log_filtered),
        )
        .route("/tilsyn/adgangslog/eksport", post(access_log_export))
        .route("/admin", get(admin))
        .route("/admin/organisationer", post(admin_org))
        .route("/admin/brugere", post(admin_user))
        .route("/admin/formaal", post(admin_purpose))
        .route("/admin/ydelser", post(admin_service_type))
        .route("/admin/aftaler", post(admin_dpa))
}

// ---- layout ----------------------------------------------------------------------------

pub struct UserBar {
    pub(crate) name: String,
    pub(crate) role: &'static str,
    pub(crate) organisation: String,
    pub(crate) csrf: String,
}

pub struct NavItem {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

pub(crate) struct Layout {
    pub(crate) user: Option<UserBar>,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) flash: Option<&'static str>,
}

fn menu(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Caseworker => &[
            ("/borgere", "Borgere og bestillinger"),
            ("/beskeder", "Generelle beskeder"),
        ],
        Role::SupplierUser => &[
            ("/leverandoer", "Bestillinger"),
            ("/beskeder", "Generelle beskeder"),
        ],
        Role::PrivacyOfficer | Role::Auditor => &[
            ("/tilsyn", "Opfølgning"),
            ("/tilsyn/videregivelser", "Videregivelser"),
            ("/tilsyn/adgangslog", "Adgangslog"),
            ("/tilsyn/log-ind", "Log-ind-rapport"),
        ],
        Role::Administrator => &[
            ("/admin", "Administration"),
            ("/admin/gennemgang", "Adgangsgennemgang"),
            ("/admin/sikkerhed", "Log-ind og sikkerhed"),
            ("/tilsyn/log-ind", "Log-ind-rapport"),
        ],
    }
}

impl Layout {
    pub(crate) fn for_user(user: &WebUser, current: &str) -> Layout {
        Layout {
            user: Some(UserBar {
                name: user.actor.display_name.clone(),
                role: user.actor.role.danish(),
                organisation: user.actor.organisation_name.clone(),
                csrf: user.csrf.clone(),
            }),
            nav: {
                let items = menu(user.actor.role);
                // The longest entry the page lies under is the current one.
                let best = items
                    .iter()
                    .filter(|(href, _)| current.starts_with(href))
                    .map(|(href, _)| href.len())
                    .max();
                items
                    .iter()
                    .map(|(href, label)| NavItem {
                        href,
                        label,
                        current: current.starts_with(href) && Some(href.len()) == best,
                    })
                    .collect()
            },
            flash: None,
        }
    }

    pub(crate) fn anonymous() -> Layout {
        Layout {
            user: None,
            nav: Vec::new(),
            flash: None,
        }
    }

    pub(crate) fn with_flash(mut self, ok: &Flash) -> Layout {
        self.flash = ok.message();
        self
    }
}

/// Success messages after a redirect (`?ok=…`).
#[derive(Deserialize, Default)]
pub(crate) struct Flash {
    ok: Option<String>,
}

/// No success message.
pub(crate) static NO_FLASH: Flash = Flash { ok: None };

impl Flash {
    fn message(&self) -> Option<&'static str> {
        Some(match self.ok.as_deref()? {
            "bestilt" => "Bestillingen er sendt. Leverandøren har fået de automatiske oplysninger.",
            "videregivet" => "Oplysningen er videregivet og registreret i videregivelsesloggen.",
            "afsluttet" => "Bestillingen er afsluttet.",
            "oprettet" => "Oprettet.",
            "sendt" => "Beskeden er sendt.",
            "samtykke" => "Samtykket er registreret.",
            "tilbagekaldt" => {
                "Samtykket er tilbagekaldt. Der sendes ikke flere påmindelser via kanalen."
            }
            "paamindet" => "Påmindelsen er sendt.",
            "anmodet" => "Anmodningen er sendt til sagsbehandleren.",
            "afgjort" => "Anmodningen er afgjort. Leverandøren kan se afgørelsen i tråden.",
            "gemt" => "Indstillingerne er gemt.",
            "ophaevet" => "Spærringen er ophævet, og begrundelsen er registreret.",
            "nulstillet" => {
                "Engangskoden er nulstillet. Brugeren opsætter en ny ved næste log-ind."
            }
            "gennemgaaet" => "Afgørelsen er registreret.",
            "stedfortraeder" => {
                "Du har åbnet bestillingen som stedfortræder. Adgangen er logget og følges op af databeskyttelsesrådgiveren."
            }
            "slettet" => "Tak. Sletningen er bekræftet og registreret hos kommunen.",
            "fulgtop" => "Opfølgningen er registreret.",
            "adgangskode" => "Din adgangskode er skiftet. Dine andre sessioner er afsluttet.",
            "ny-adgangskode" => {
                "Brugeren skal vælge en ny adgangskode ved næste log-ind. Brugerens sessioner er afsluttet."
            }
            _ => return None,
        })
    }
}

/// A page re-shown with an error explains a refused form: 422; otherwise 200.
pub(crate) fn status_for(error: &Option<String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error.detail = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "der skete en intern fejl",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    code: &'static str,
}

/// A full error page in Danish, with the status the error deserves.
pub fn error_response(user: Option<&WebUser>, e: AppError) -> Response {
    log_internal(&e);
    let heading = match e {
        AppError::NotFound { .. } => "Ikke fundet",
        AppError::Forbidden { .. } => "Ingen adgang",
        AppError::Invalid { .. } | AppError::Conflict { .. } => "Det kunne ikke lade sig gøre",
        AppError::Unauthenticated => "Log ind",
        AppError::Internal(_) => "Der skete en fejl",
    };
    let page = ErrorPage {
        layout: user.map_or_else(Layout::anonymous, |u| Layout::for_user(u, "")),
        heading,
        message: capitalise(&e.to_string()),
        code: e.code(),
    };
    (status_of(&e), render(&page)).into_response()
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub(crate) fn parse_id(s: &str, what: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim()).map_err(|_| AppError::invalid("bad_id", format!("ukendt {what}")))
}

// ---- sign-in ---------------------------------------------------------------------------

/// The first page of a role.
pub(crate) fn home_of(role: Role) -> &'static str {
    menu(role)[0].0
}

async fn home(user: WebUser) -> Redirect {
    Redirect::to(home_of(user.actor.role))
}

#[derive(Template)]
#[template(path = "login.html")]
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
    let token = skjold_store::crypto::random_token();
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

async fn login_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    login_form(&state, jar, None, String::new())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    login_csrf: String,
}

async fn login(
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
        return login_form(
            &state,
            jar,
            Some("Formularen var udløbet. Prøv igen.".into()),
            form.username,
        );
    }
    match state.app.sign_in(&form.username, &form.password, &ws).await {
        Ok(SignIn::Done(session)) => {
            let jar = jar
                .remove(Cookie::build(LOGIN_COOKIE).path("/login"))
                .add(session_cookie(session.token, state.config.secure_cookies));
            (jar, Redirect::to(home_of(session.actor.role))).into_response()
        }
        Ok(SignIn::SecondFactor { token, .. }) => crate::security::to_second_factor(
            &state,
            jar.remove(Cookie::build(LOGIN_COOKIE).path("/login")),
            token,
        ),
        Ok(SignIn::NewPassword { token, .. }) => crate::security::to_new_password(
            &state,
            jar.remove(Cookie::build(LOGIN_COOKIE).path("/login")),
            token,
        ),
        Err(AppError::Internal(detail)) => error_response(None, AppError::Internal(detail)),
        Err(e) => login_form(&state, jar, Some(capitalise(&e.to_string())), form.username),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    if let Err(e) = state.app.logout(&user.token).await {
        return error_response(Some(&user), e);
    }
    (
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response()
}

// ---- casework --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "citizens.html")]
struct CitizensPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    orders: Vec<OrderSummary>,
    order_base: &'static str,
    own_unit: Option<Uuid>,
    requests: Vec<OpenRequest>,
}

async fn citizens_page(state: &AppState, user: &WebUser, error: Option<String>) -> Response {
    let loaded = async {
        let orders = state.app.unit_orders(&user.actor).await?;
        let requests = state.app.open_requests(&user.actor).await?;
        Ok::<_, AppError>((orders, requests))
    }
    .await;
    match loaded {
        Ok((orders, requests)) => {
            let status = status_for(&error);
            let page = CitizensPage {
                layout: Layout::for_user(user, "/borgere"),
                csrf: user.csrf.clone(),
                error,
                orders,
                order_base: "/bestillinger",
                own_unit: None,
                requests,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn citizens(State(state): State<AppState>, user: WebUser) -> Response {
    citizens_page(&state, &user, None).await
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    cpr: String,
}

async fn search(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<SearchForm>,
) -> Response {
    match state.app.find_citizen(&user.actor, &form.cpr).await {
        Ok(id) => Redirect::to(&format!("/borgere/{id}")).into_response(),
        Err(e @ (AppError::Invalid { .. } | AppError::NotFound { .. })) => {
            citizens_page(&state, &user, Some(capitalise(&e.to_string()))).await
        }
        Err(e) => error_response(Some(&user), e),
    }
}

struct DatumRow {
    key: &'static str,
    label: &'static str,
    value: String,
    sensitivity: &'static str,
    sensitivity_key: &'static str,
    source: String,
    collected: String,
}

struct Group {
    name: &'static str,
    items: Vec<DatumRow>,
}

#[derive(Template)]
#[template(path = "citizen.html")]
struct CitizenPage {
    layout: Layout,
    id: Uuid,
    name: String,
    cpr: String,
    groups: Vec<Group>,
    service_types: Vec<ServiceType>,
    suppliers: Vec<Dpa>,
    orders: Vec<OrderSummary>,
    order_base: &'static str,
    /// The caseworker's unit: other units' orders open only by a stand-in access.
    own_unit: Option<Uuid>,
    consents: Vec<ConsentRow>,
    csrf: String,
    error: Option<String>,
}

struct ConsentRow {
    channel: String,
    notice_version: String,
    given: String,
    withdrawn: String,
    active: bool,
}

async fn citizen(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    citizen_page(&state, &user, id, &flash, None).await
}

async fn citizen_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let app = &state.app;
    let loaded = async {
        let view = app.citizen(&user.actor, id).await?;
        let service_types = app.service_types(&user.actor).await?;
        let suppliers = app.suppliers_in_force(&user.actor).await?;
        let consents = app.consents(&user.actor, id).await?;
        Ok::<_, AppError>((view, service_types, suppliers, consents))
    }
    .await;
    let now = app.now();
    let (view, service_types, suppliers, consents) = match loaded {
        Ok(v) => v,
        Err(e) => return error_response(Some(user), e),
    };
    let consents = consents
        .into_iter()
        .map(|c| ConsentRow {
            active: c.in_force(now),
            channel: c.channel,
            notice_version: c.notice_version,
            given: c.given_at.danish(),
            withdrawn: c.withdrawn_at.map(|t| t.danish()).unwrap_or_default(),
        })
        .collect();
    let groups = Category::ALL
        .iter()
        .map(|c| Group {
            name: c.danish(),
            items: view
                .data
                .iter()
                .filter(|d| d.field.category() == *c)
                .map(|d| DatumRow {
                    key: d.field.key(),
                    label: d.field.danish(),
                    value: d.value.clone(),
                    sensitivity: d.sensitivity().danish(),
                    sensitivity_key: d.sensitivity().key(),
                    source: d.source.clone(),
                    collected: d.collected_at.danish(),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let status = status_for(&error);
    let page = CitizenPage {
        layout: Layout::for_user(user, "/borgere").with_flash(flash),
        id,
        name: view
            .value(FieldKey::Name)
            .unwrap_or("(uden navn)")
            .to_owned(),
        cpr: view.value(FieldKey::Cpr).unwrap_or("").to_owned(),
        groups,
        service_types,
        suppliers,
        orders: view.orders,
        order_base: "/bestillinger",
        own_unit: Some(user.actor.organisation_id),
        consents,
        csrf: user.csrf.clone(),
        error,
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    notice_version: String,
    #[serde(default)]
    evidence: String,
}

async fn record_consent(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<ConsentForm>,
) -> Response {
    let result = state
        .app
        .record_consent(&user.actor, id, &f.channel, &f.notice_version, &f.evidence)
        .await;
    answer(
        &user,
        result.map(|_| format!("/borgere/{id}?ok=samtykke#samtykke")),
        |error| citizen_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

async fn withdraw_consent(
    State(state): State<AppState>,
    Path((id, channel)): Path<(Uuid, String)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state.app.withdraw_consent(&user.actor, id, &channel).await;
    answer(
        &user,
        result.map(|()| format!("/borgere/{id}?ok=tilbagekaldt#samtykke")),
        |error| citizen_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
struct ReminderForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
}

async fn send_reminder(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<ReminderForm>,
) -> Response {
    let result = async {
        let date = skjold_app::ops::parse_date(&f.date, "dato")?;
        let appointment = skjold_app::reminders::Appointment {
            date,
            time: f.time.trim().to_owned(),
            place: f.place,
        };
        state
            .app
            .send_reminder(&user.actor, id, &f.channel, &appointment)
            .await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{id}?ok=paamindet")),
        |error| order_page(&state, &user, id, &NO_FLASH, Some(error), None),
    )
    .await
}

#[derive(Deserialize)]
struct PreviewQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    supplier: String,
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewPage {
    layout: Layout,
    csrf: String,
    p: OrderPreview,
}

async fn preview(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PreviewQuery>,
) -> Response {
    let result = async {
        let order = NewOrder {
            subject_id: id,
            service_type_id: parse_id(&q.service, "ydelsestype")?,
            supplier_id: parse_id(&q.supplier, "leverandør")?,
        };
        state.app.preview_order(&user.actor, order).await
    }
    .await;
    match result {
        Ok(p) => render(&PreviewPage {
            layout: Layout::for_user(&user, "/borgere"),
            csrf: user.csrf.clone(),
            p,
        }),
        Err(e) => error_response(Some(&user), e),
    }
}

#[derive(Deserialize)]
struct PlaceForm {
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    service_type_id: String,
    #[serde(default)]
    supplier_id: String,
}

async fn place_order(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<PlaceForm>,
) -> Response {
    let result = async {
        let order = NewOrder {
            subject_id: parse_id(&form.subject_id, "borger")?,
            service_type_id: parse_id(&form.service_type_id, "ydelsestype")?,
            supplier_id: parse_id(&form.supplier_id, "leverandør")?,
        };
        state.app.place_order(&user.actor, order).await
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/bestillinger/{id}?ok=bestilt")).into_response(),
        Err(e) => error_response(Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    today: Date,
    open: bool,
    v: CaseworkerOrderView,
    t: ThreadView,
    message_action: String,
    /// The text the guard stopped, offered back with a confirmation field.
    guard_body: Option<String>,
    attachment_base: &'static str,
    confirm_hint: &'static str,
}

impl OrderPage {
    fn rule_of(&self, f: &FieldKey) -> &'static str {
        self.t
            .policy
            .iter()
            .find(|(k, _)| k == f)
            .map_or("", |(_, r)| r.danish())
    }

    fn value_of(&self, f: &FieldKey) -> &str {
        self.t
            .requested_values
            .iter()
            .find(|(k, _)| k == f)
            .map_or("(borgeren har ingen sådan oplysning)", |(_, v)| v.as_str())
    }
}

async fn order_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
    guard_body: Option<String>,
) -> Response {
    let loaded = async {
        let v = state.app.caseworker_order(&user.actor, id).await?;
        let t = state.app.thread(&user.actor, id).await?;
        Ok::<_, AppError>((v, t))
    }
    .await;
    match loaded {
        Ok((v, t)) => {
            let status = status_for(&error);
            let page = OrderPage {
                layout: Layout::for_user(user, "/borgere").with_flash(flash),
                csrf: user.csrf.clone(),
                error,
                today: state.app.now().local_date(),
                open: v.order.status == OrderStatus::Open,
                message_action: format!("/bestillinger/{id}/besked"),
                v,
                t,
                guard_body,
                attachment_base: ORDER_ATTACHMENTS,
                confirm_hint: ORDER_CONFIRM_HINT,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

/// What a form answers: on success, a redirect to `Ok(path)`; input the app refused
/// (invalid or conflicting) shows the page again with the reason; anything else is an
/// error page.
pub(crate) async fn answer<Fut>(
    user: &WebUser,
    result: Result<String, AppError>,
    reshow: impl FnOnce(String) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Response>,
{
    match result {
        Ok(path) => Redirect::to(&path).into_response(),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            reshow(capitalise(&e.to_string())).await
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn order(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    let page = order_page(&state, &user, id, &flash, None, None).await;
    // A caseworker who may not open the order is offered a stand-in access instead (the
    // same answer whether or not the order exists).
    if page.status() == StatusCode::NOT_FOUND && user.actor.role == Role::Caseworker {
        return stand_in_form(&user, id, true, None);
    }
    page
}

#[derive(Template)]
#[template(path = "stand_in.html")]
struct StandInPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    order_id: Uuid,
    not_found: bool,
    hours: i64,
    max_text: usize,
}

fn stand_in_form(user: &WebUser, id: Uuid, not_found: bool, error: Option<String>) -> Response {
    let status = if not_found {
        StatusCode::NOT_FOUND
    } else {
        status_for(&error)
    };
    let page = StandInPage {
        layout: Layout::for_user(user, "/borgere"),
        csrf: user.csrf.clone(),
        error,
        order_id: id,
        not_found,
        hours: skjold_core::access::STAND_IN_HOURS,
        max_text: MAX_TEXT,
    };
    (status, render(&page)).into_response()
}

async fn stand_in_page(user: WebUser, Path(id): Path<Uuid>) -> Response {
    if let Some(refused) = refuse_unless(&user, Role::Caseworker) {
        return refused;
    }
    stand_in_form(&user, id, false, None)
}

#[derive(Deserialize)]
struct StandInForm {
    #[serde(default)]
    reason: String,
}

async fn open_stand_in(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<StandInForm>,
) -> Response {
    let result = state.app.open_stand_in(&user.actor, id, &f.reason).await;
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{id}?ok=stedfortraeder")),
        |error| async { stand_in_form(&user, id, false, Some(error)) },
    )
    .await
}

/// The longest free text a form takes (reasons, justifications, notes).
const MAX_TEXT: usize = 4000;

#[derive(Deserialize)]
struct DiscloseForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    justification: String,
}

async fn disclose(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, form): CsrfForm<DiscloseForm>,
) -> Response {
    let result = state
        .app
        .disclose(&user.actor, id, &form.field, &form.justification)
        .await;
    answer(
        &user,
        result.map(|()| format!("/bestillinger/{id}?ok=videregivet")),
        |error| order_page(&state, &user, id, &NO_FLASH, Some(error), None),
    )
    .await
}

#[derive(Template)]
#[template(path = "close_order.html")]
struct CloseOrderPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    v: CaseworkerOrderView,
    deletion_due: String,
}

async fn close_order_page_for(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    error: Option<String>,
) -> Response {
    match state.app.caseworker_order(&user.actor, id).await {
        Ok(v) if v.order.status == OrderStatus::Closed => {
            Redirect::to(&format!("/bestillinger/{id}")).into_response()
        }
        Ok(v) => {
            let status = status_for(&error);
            let page = CloseOrderPage {
                layout: Layout::for_user(user, "/borgere"),
                csrf: user.csrf.clone(),
                error,
                v,
                deletion_due: skjold_core::access::deletion_due(state.app.now()).danish(),
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn close_order_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Response {
    close_order_page_for(&state, &user, id, None).await
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    confirm: String,
}

async fn close_order(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<CloseForm>,
) -> Response {
    let result = if f.confirm == "yes" {
        state.app.close_order(&user.actor, id).await
    } else {
        Err(AppError::invalid(
            "confirmation_required",
            "bekræft, at bestillingen skal afsluttes",
        ))
    };
    answer(
        &user,
        result.map(|()| format!("/bestillinger/{id}?ok=afsluttet")),
        |error| close_order_page_for(&state, &user, id, Some(error)),
    )
    .await
}

// ---- the supplier ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "supplier_orders.html")]
struct SupplierOrdersPage {
    layout: Layout,
    organisation: String,
    orders: Vec<OrderSummary>,
    order_base: &'static str,
    own_unit: Option<Uuid>,
}

async fn supplier_orders(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.supplier_orders(&user.actor).await {
        Ok(orders) => render(&SupplierOrdersPage {
            layout: Layout::for_user(&user, "/leverandoer"),
            organisation: user.actor.organisation_name.clone(),
            orders,
            order_base: "/leverandoer/bestillinger",
            own_unit: None,
        }),
        Err(e) => error_response(Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "supplier_order.html")]
struct SupplierOrderPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    v: SupplierOrderView,
    /// The thread, while the order is open.
    thread: Option<ThreadView>,
    message_action: String,
    guard_body: Option<String>,
    attachment_base: &'static str,
    confirm_hint: &'static str,
}

async fn supplier_order_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let v = state.app.supplier_order(&user.actor, id).await?;
        let thread = match v.order.status {
            OrderStatus::Open => Some(state.app.thread(&user.actor, id).await?),
            OrderStatus::Closed => None,
        };
        Ok::<_, AppError>((v, thread))
    }
    .await;
    match loaded {
        Ok((v, thread)) => {
            let status = status_for(&error);
            let page = SupplierOrderPage {
                layout: Layout::for_user(user, "/leverandoer").with_flash(flash),
                csrf: user.csrf.clone(),
                error,
                message_action: format!("/leverandoer/bestillinger/{id}/besked"),
                v,
                thread,
                guard_body: None,
                attachment_base: ORDER_ATTACHMENTS,
                confirm_hint: ORDER_CONFIRM_HINT,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn supplier_order(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    supplier_order_page(&state, &user, id, &flash, None).await
}

#[derive(Deserialize)]
struct DeletionForm {
    #[serde(default)]
    deleted: String,
}

async fn confirm_deletion(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<DeletionForm>,
) -> Response {
    let result = if f.deleted == "yes" {
        state.app.confirm_deletion(&user.actor, id).await
    } else {
        Err(AppError::invalid(
            "confirmation_required",
            "sæt kryds for at bekræfte, at kopierne er slettet",
        ))
    };
    answer(
        &user,
        result.map(|()| format!("/leverandoer/bestillinger/{id}?ok=slettet")),
        |error| supplier_order_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

// ---- messages and data requests -------------------------------------------------------

/// The supplier's pages and the caseworker's pages are each for their own role.
/// `Some(refusal page)` unless the user has `role`.
fn refuse_unless(user: &WebUser, role: Role) -> Option<Response> {
    if user.actor.role == role {
        None
    } else {
        Some(error_response(
            Some(user),
            AppError::forbidden(
                "role_not_allowed",
                format!("siden er for rollen {}", role.danish()),
            ),
        ))
    }
}

/// Whether the guard stopped a message until it is confirmed.
fn stopped_by_guard<T>(result: &Result<T, AppError>) -> bool {
    matches!(
        result,
        Err(AppError::Invalid {
            code: "guard_confirmation_required",
            ..
        })
    )
}

async fn caseworker_message(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    if let Some(refused) = refuse_unless(&user, Role::Caseworker) {
        return refused;
    }
    let (body, confirmation) = f.message();
    let result = state
        .app
        .send_message_with(&user.actor, id, &body, &f.files, confirmation)
        .await;
    // Stopped by the guard: offer the text back with a field for the confirmation.
    let guarded = stopped_by_guard(&result);
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{id}?ok=sendt#beskeder")),
        |error| {
            order_page(
                &state,
                &user,
                id,
                &NO_FLASH,
                Some(error),
                guarded.then_some(body),
            )
        },
    )
    .await
}

async fn supplier_message(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    if let Some(refused) = refuse_unless(&user, Role::SupplierUser) {
        return refused;
    }
    let (body, _) = f.message();
    let result = state
        .app
        .send_message_with(&user.actor, id, &body, &f.files, None)
        .await;
    answer(
        &user,
        result.map(|_| format!("/leverandoer/bestillinger/{id}?ok=sendt#beskeder")),
        |error| supplier_order_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

const ORDER_ATTACHMENTS: &str = "/vedhaeftninger";
const ORDER_CONFIRM_HINT: &str =
    "Oplysningerne registreres som en manuel videregivelse i videregivelsesloggen.";

#[derive(Template)]
#[template(path = "general_threads.html")]
struct GeneralThreadsPage {
    layout: Layout,
    threads: Vec<GeneralThreadSummary>,
}

async fn general_threads(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.general_threads(&user.actor).await {
        Ok(threads) => render(&GeneralThreadsPage {
            layout: Layout::for_user(&user, "/beskeder"),
            threads,
        }),
        Err(e) => error_response(Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "general_thread.html")]
struct GeneralThreadPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    t: GeneralThreadView,
    message_action: String,
    guard_body: Option<String>,
    attachment_base: &'static str,
    confirm_hint: &'static str,
}

async fn general_thread_page(
    state: &AppState,
    user: &WebUser,
    org: Uuid,
    flash: &Flash,
    error: Option<String>,
    guard_body: Option<String>,
) -> Response {
    match state.app.general_thread(&user.actor, org).await {
        Ok(t) => {
            let page = GeneralThreadPage {
                layout: Layout::for_user(user, "/beskeder").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                t,
                message_action: format!("/beskeder/{org}"),
                guard_body,
                attachment_base: "/beskeder/vedhaeftninger",
                confirm_hint: "Begrundelsen gemmes i adgangsloggen sammen med afsendelsen.",
            };
            (status_for(&error), render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn general_thread(
    State(state): State<AppState>,
    user: WebUser,
    Path(org): Path<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    general_thread_page(&state, &user, org, &flash, None, None).await
}

async fn general_message(
    State(state): State<AppState>,
    Path(org): Path<Uuid>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    let (body, confirmation) = f.message();
    let result = state
        .app
        .send_general_message(&user.actor, org, &body, &f.files, confirmation)
        .await;
    let guarded = stopped_by_guard(&result);
    answer(
        &user,
        result.map(|_| format!("/beskeder/{org}?ok=sendt#beskeder")),
        |error| {
            general_thread_page(
                &state,
                &user,
                org,
                &NO_FLASH,
                Some(error),
                guarded.then_some(body),
            )
        },
    )
    .await
}

async fn general_attachment(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.general_attachment(&user.actor, id).await {
        Ok(file) => crate::download(file),
        Err(e) => error_response(Some(&user), e),
    }
}

async fn attachment(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Response {
    match state.app.attachment(&user.actor, id).await {
        Ok(file) => crate::download(file),
        Err(e) => error_response(Some(&user), e),
    }
}

async fn request_data(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let fields: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("field."))
        .map(str::to_owned)
        .collect();
    let reason = f.get("reason").map_or("", String::as_str);
    let result = state
        .app
        .request_data(&user.actor, id, &fields, reason)
        .await;
    answer(
        &user,
        result.map(|_| format!("/leverandoer/bestillinger/{id}?ok=anmodet#beskeder")),
        |error| supplier_order_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide_request(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let order = match parse_id(&f.order_id, "bestilling") {
        Ok(o) => o,
        Err(e) => return error_response(Some(&user), e),
    };
    let result = match f.decision.as_str() {
        "approve" => {
            state
                .app
                .decide_request(&user.actor, id, true, &f.reason)
                .await
        }
        "reject" => {
            state
                .app
                .decide_request(&user.actor, id, false, &f.reason)
                .await
        }
        _ => Err(AppError::invalid(
            "bad_decision",
            "vælg godkend eller afvis",
        )),
    };
    answer(
        &user,
        result.map(|()| format!("/bestillinger/{order}?ok=afgjort#beskeder")),
        |error| order_page(&state, &user, order, &NO_FLASH, Some(error), None),
    )
    .await
}

// ---- oversight -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "follow_up.html")]
struct FollowUpPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    f: skjold_app::ops::FollowUp,
    may_follow_up: bool,
    max_text: usize,
}

async fn follow_up_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    match state.app.follow_up(&user.actor).await {
        Ok(f) => {
            let status = status_for(&error);
            let page = FollowUpPage {
                layout: Layout::for_user(user, "/tilsyn").with_flash(flash),
                csrf: user.csrf.clone(),
                error,
                f,
                may_follow_up: user.actor.role == Role::PrivacyOfficer,
                max_text: MAX_TEXT,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn follow_up(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    follow_up_page(&state, &user, &flash, None).await
}

#[derive(Deserialize)]
struct FollowUpForm {
    #[serde(default)]
    note: String,
}

async fn follow_up_stand_in(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<FollowUpForm>,
) -> Response {
    let result = state.app.follow_up_stand_in(&user.actor, id, &f.note).await;
    answer(
        &user,
        result.map(|()| "/tilsyn?ok=fulgtop#stedfortraedere".to_owned()),
        |error| follow_up_page(&state, &user, &NO_FLASH, Some(error)),
    )
    .await
}

/// The filter form's values, echoed back into the form.
#[derive(Deserialize, Default)]
struct FilterForm {
    #[serde(default)]
    cpr: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    /// `jsonl` or `csv` for an export of the access log.
    #[serde(default)]
    export: String,
}

impl FilterForm {
    fn query(&self) -> Result<OversightQuery, AppError> {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(OversightQuery {
            cpr: opt(&self.cpr),
            username: opt(&self.username),
            organisation: match opt(&self.organisation) {
                Some(o) => Some(parse_id(&o, "organisation")?),
                None => None,
            },
            from: opt(&self.from),
            until: opt(&self.until),
        })
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    action: &'static str,
    show_user: bool,
    filter: FilterForm,
    organisations: Vec<Organisation>,
    entries: Vec<LedgerEntry>,
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    action: &'static str,
    show_user: bool,
    filter: FilterForm,
    organisations: Vec<Organisation>,
    entries: Vec<AccessEntry>,
}

/// Entries for an oversight page; a bad filter shows as a message over an empty table.
fn soft<T>(result: Result<Vec<T>, AppError>) -> Result<(Vec<T>, Option<String>), AppError> {
    match result {
        Ok(entries) => Ok((entries, None)),
        Err(e @ AppError::Invalid { .. }) => Ok((Vec::new(), Some(capitalise(&e.to_string())))),
        Err(e) => Err(e),
    }
}

async fn oversight(state: &AppState, user: &WebUser, filter: FilterForm, ledger: bool) -> Response {
    let app = &state.app;
    let organisations = match app.organisations(&user.actor).await {
        Ok(o) => o,
        Err(e) => return error_response(Some(user), e),
    };
    let action = if ledger {
        "/tilsyn/videregivelser"
    } else {
        "/tilsyn/adgangslog"
    };
    let layout = Layout::for_user(user, action);
    let csrf = user.csrf.clone();
    let page = if ledger {
        let entries = async { app.ledger(&user.actor, &filter.query()?).await }.await;
        soft(entries).map(|(entries, error)| {
            let status = status_for(&error);
            (
                status,
                render(&LedgerPage {
                    layout,
                    csrf,
                    error,
                    action,
                    show_user: false,
                    filter,
                    organisations,
                    entries,
                }),
            )
        })
    } else {
        let entries = async { app.access_log(&user.actor, &filter.query()?).await }.await;
        soft(entries).map(|(entries, error)| {
            let status = status_for(&error);
            (
                status,
                render(&AccessLogPage {
                    layout,
                    csrf,
                    error,
                    action,
                    show_user: true,
                    filter,
                    organisations,
                    entries,
                }),
            )
        })
    };
    match page {
        Ok(page) => page.into_response(),
        Err(e) => error_response(Some(user), e),
    }
}

async fn ledger(State(state): State<AppState>, user: WebUser) -> Response {
    oversight(&state, &user, FilterForm::default(), true).await
}

async fn ledger_filtered(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    oversight(&state, &user, f, true).await
}

async fn access_log(State(state): State<AppState>, user: WebUser) -> Response {
    oversight(&state, &user, FilterForm::default(), false).await
}

async fn access_log_filtered(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    oversight(&state, &user, f, false).await
}

/// The access log as a verifiable export (with inclusion proofs and signed checkpoints),
/// filtered like the page.
async fn access_log_export(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    let exported = async {
        state
            .app
            .export_access_log(&user.actor, &f.query()?, &f.export)
            .await
    }
    .await;
    match exported {
        Ok((format, bytes)) => crate::export_download(format, bytes),
        Err(e) => error_response(Some(&user), e),
    }
}

// ---- administration --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    organisations: Vec<Organisation>,
    users: Vec<User>,
    purposes: Vec<Purpose>,
    service_types: Vec<ServiceType>,
    dpas: Vec<Dpa>,
    today: Date,
    roles: [Role; 5],
    art6: &'static [Art6Basis],
    art9: &'static [Art9Basis],
    fields: &'static [FieldKey],
    rules: [DisclosureRule; 3],
}

impl AdminPage {
    fn org_name(&self, id: &Uuid) -> &str {
        self.organisations
            .iter()
            .find(|o| o.id == *id)
            .map_or("", |o| o.name.as_str())
    }

    fn in_force(&self, d: &Dpa) -> bool {
        d.in_force(self.today)
    }

    fn default_rule(&self, f: &FieldKey) -> &'static str {
        DisclosureRule::default_for(*f).key()
    }
}

async fn admin_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let app = &state.app;
    let a = &user.actor;
    let loaded = async {
        if a.role != Role::Administrator {
            return Err(AppError::forbidden(
                "administrator_only",
                "kun administratorer kan gøre dette",
            ));
        }
        Ok::<_, AppError>((
            app.organisations(a).await?,
            app.users(a).await?,
            app.purposes(a).await?,
            app.service_types(a).await?,
            app.dpas(a).await?,
        ))
    }
    .await;
    match loaded {
        Ok((organisations, users, purposes, service_types, dpas)) => {
            let status = status_for(&error);
            let page = AdminPage {
                layout: Layout::for_user(user, "/admin").with_flash(flash),
                csrf: user.csrf.clone(),
                error,
                organisations,
                users,
                purposes,
                service_types,
                dpas,
                today: app.now().local_date(),
                roles: Role::ALL,
                art6: Art6Basis::ALL,
                art9: Art9Basis::ALL,
                fields: FieldKey::ALL,
                rules: DisclosureRule::ALL,
            };
            (status, render(&page)).into_response()
        }
        Err(e) => error_response(Some(user), e),
    }
}

async fn admin(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    admin_page(&state, &user, &flash, None).await
}

/// After an administration form: back to the page with a message, or the page with the error.
async fn admin_done<T>(
    state: &AppState,
    user: &WebUser,
    result: Result<T, AppError>,
    anchor: &str,
) -> Response {
    answer(
        user,
        result.map(|_| format!("/admin?ok=oprettet#{anchor}")),
        |error| admin_page(state, user, &NO_FLASH, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    cvr: String,
}

async fn admin_org(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<OrgForm>,
) -> Response {
    let result = match OrgKind::parse(&f.kind) {
        Some(kind) => {
            state
                .app
                .create_organisation(Some(&user.actor), kind, None, &f.name, Some(&f.cvr))
                .await
        }
        None => Err(AppError::invalid("bad_kind", "vælg en organisationstype")),
    };
    admin_done(&state, &user, result, "organisationer").await
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

async fn admin_user(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<UserForm>,
) -> Response {
    let result = async {
        let org = parse_id(&f.organisation_id, "organisation")?;
        let role =
            Role::parse(&f.role).ok_or_else(|| AppError::invalid("bad_role", "vælg en rolle"))?;
        state
            .app
            .add_user(
                Some(&user.actor),
                org,
                &f.username,
                &f.display_name,
                role,
                &f.password,
            )
            .await
    }
    .await;
    admin_done(&state, &user, result, "brugere").await
}

async fn admin_purpose(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<PurposeInput>,
) -> Response {
    let result = state.app.create_purpose(&user.actor, &f).await;
    admin_done(&state, &user, result, "formaal").await
}

async fn admin_service_type(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let result = async {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = ServiceTypeInput {
            code: get("code"),
            name: get("name"),
            description: get("description"),
            purpose_id: parse_id(&get("purpose_id"), "formål")?,
            policy: f
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("rule.")?.to_owned(), v.clone())))
                .collect(),
        };
        state.app.create_service_type(&user.actor, &input).await
    }
    .await;
    admin_done(&state, &user, result, "ydelser").await
}

async fn admin_dpa(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let result = async {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = DpaInput {
            processor_id: parse_id(&get("processor_id"), "leverandør")?,
            reference: get("reference"),
            instructions: get("instructions"),
            starts_on: get("starts_on"),
            ends_on: Some(get("ends_on")),
        };
        state.app.create_dpa(&user.actor, &input).await
    }
    .await;
    admin_done(&state, &user, result, "aftaler").await
}

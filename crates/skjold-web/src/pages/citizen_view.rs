//! The citizen's own view under `/borger/`, in Danish or English (the citizen chooses):
//! signing in with MitID, my data, who received it, who used it, my requests (filed online,
//! followed to the answer letter) and my consents. Citizens' sessions reach only these
//! pages; each page makes one call into the application, which logs it with the citizen as
//! the actor.

use std::collections::HashMap;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::citizen_view::MyRequest;
use skjold_core::citizen_view::{
    ConsentOffer, MyCase, MyConsent, MyData, MyLog, MyRecipient, Withdrawal,
};
use skjold_core::consents::Channel;
use skjold_core::disclosures::DisclosureKind;
use skjold_core::oversight::UseKind;
use skjold_core::rights::{AccessQuestions, AccessWish, ErasureGround, RightKind, ScopeKind};
use skjold_core::{Category, FieldKey, Problem, ProblemKind};

use crate::AppState;
use crate::download::download;
use crate::error::Failure;
use crate::i18n::Lang;
use crate::i18n::citizen::{self, Words};
use crate::layout::render;
use crate::session::{CITIZEN_COOKIE, CitizenForm, CitizenUser, Client, citizen_cookie};

use super::sign_in::Empty;

/// The citizen's language, from their choice (a cookie), else their browser's.
pub struct CitizenLang(pub Lang);

const LANG_COOKIE: &str = "skjold_sprog";
const SSO_COOKIE: &str = "skjold_borger_sso";

impl<S: Send + Sync> FromRequestParts<S> for CitizenLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(CitizenLang(match jar.get(LANG_COOKIE).map(|c| c.value()) {
            Some("en") => Lang::En,
            Some("da") => Lang::Da,
            _ => Lang::from_headers(&parts.headers),
        }))
    }
}

/// What every citizen's page shares: the words, the form token when signed in, the page's
/// place in the menu, a success message.
pub(crate) struct CitizenLayout {
    w: &'static Words,
    lang: Lang,
    csrf: Option<String>,
    current: &'static str,
    flash: Option<String>,
}

impl CitizenLayout {
    fn new(lang: Lang, user: Option<&CitizenUser>, current: &'static str) -> CitizenLayout {
        CitizenLayout {
            w: citizen::words(lang),
            lang,
            csrf: user.map(|u| u.csrf.clone()),
            current,
            flash: None,
        }
    }

    fn nav(&self) -> [(&'static str, &'static str); 6] {
        let w = self.w;
        [
            ("/borger/", w.nav_home),
            ("/borger/oplysninger", w.nav_data),
            ("/borger/modtagere", w.nav_recipients),
            ("/borger/log", w.nav_log),
            ("/borger/anmodninger", w.nav_requests),
            ("/borger/samtykker", w.nav_consents),
        ]
    }

    fn is_current(&self, href: &str) -> bool {
        self.current == href
    }

    fn csrf_value(&self) -> &str {
        self.csrf.as_deref().unwrap_or_default()
    }

    fn field(&self, f: &FieldKey) -> &'static str {
        citizen::field(*f, self.lang)
    }

    fn what(&self, f: &Option<FieldKey>) -> &'static str {
        match (f, self.lang) {
            (Some(f), lang) => citizen::field(*f, lang),
            (None, Lang::Da) => "Fritekst i en besked",
            (None, Lang::En) => "Free text in a message",
        }
    }

    fn category(&self, c: &Category) -> &'static str {
        citizen::category(*c, self.lang)
    }

    fn use_kind(&self, k: &UseKind) -> &'static str {
        citizen::use_kind(*k, self.lang)
    }

    fn disclosure(&self, k: &DisclosureKind) -> &'static str {
        citizen::disclosure(*k, self.lang)
    }

    fn right(&self, k: &RightKind) -> &'static str {
        citizen::right(*k, self.lang)
    }

    fn status(&self, c: &MyCase) -> &'static str {
        citizen::status(c.summary.status, c.summary.outcome, self.lang)
    }

    fn channel(&self, c: &Channel) -> &'static str {
        citizen::channel(*c, self.lang)
    }

    fn channel_key(&self, key: &str) -> &'static str {
        Channel::parse(key).map_or("", |c| citizen::channel(c, self.lang))
    }
}

#[derive(Template)]
#[template(path = "citizen_view/error.html")]
struct ErrorPage {
    l: CitizenLayout,
    message: String,
}

/// A refusal or failure as a page in the citizen's language, with the status it deserves.
fn error(lang: Lang, user: Option<&CitizenUser>, e: AppError) -> Response {
    let f = Failure::App(e);
    f.log();
    let page = ErrorPage {
        l: CitizenLayout::new(lang, user, ""),
        message: f.message(lang),
    };
    (f.status(), render(&page)).into_response()
}

/// An address under `/borger/` that is not there (or does not take the method): the
/// citizen's error page, in their language, with their menu when they are signed in.
pub(crate) async fn boundary_page(
    state: &AppState,
    parts: &mut Parts,
    b: crate::i18n::Boundary,
) -> Response {
    let Ok(CitizenLang(lang)) = CitizenLang::from_request_parts(parts, state).await;
    let jar = CookieJar::from_headers(&parts.headers);
    let mut user = None;
    if let Some(c) = jar.get(CITIZEN_COOKIE)
        && let Ok(Some((citizen, csrf))) = state.app.citizen_session(c.value()).await
    {
        user = Some(CitizenUser {
            citizen,
            csrf,
            token: c.value().to_owned(),
        });
    }
    let f = Failure::Boundary(b);
    let page = ErrorPage {
        l: CitizenLayout::new(lang, user.as_ref(), ""),
        message: f.message(lang),
    };
    (f.status(), render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "citizen_view/login.html")]
struct LoginPage {
    l: CitizenLayout,
    error: Option<String>,
    provider: Option<String>,
    demo: bool,
}

fn login_form(state: &AppState, lang: Lang, error: Option<String>) -> Response {
    let page = LoginPage {
        l: CitizenLayout::new(lang, None, ""),
        provider: state.app.citizen_sso_name().map(str::to_owned),
        demo: state.app.is_demo(),
        error,
    };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    (status, render(&page)).into_response()
}

pub async fn login_page(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    jar: CookieJar,
) -> Response {
    if let Some(token) = jar.get(CITIZEN_COOKIE)
        && matches!(state.app.citizen_session(token.value()).await, Ok(Some(_)))
    {
        return Redirect::to("/borger/").into_response();
    }
    login_form(&state, lang, None)
}

pub async fn mitid_start(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    jar: CookieJar,
) -> Response {
    match state.app.citizen_sso_start().await {
        Ok((url, sso_state)) => {
            // Lax, not Strict: the broker's redirect back is a cross-site navigation.
            let cookie = Cookie::build((SSO_COOKIE, sso_state))
                .http_only(true)
                .secure(state.config.secure_cookies)
                .same_site(SameSite::Lax)
                .path("/borger/login")
                .build();
            (jar.add(cookie), Redirect::to(&url)).into_response()
        }
        Err(e) => error(lang, None, e),
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

pub async fn mitid_callback(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    jar: CookieJar,
    Client(ws): Client,
    Query(cb): Query<Callback>,
) -> Response {
    let cookie_state = jar
        .get(SSO_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let jar = jar.remove(Cookie::build(SSO_COOKIE).path("/borger/login"));
    if let Some(reason) = cb.error {
        let detail = format!("borger-log-ind: udbyderen svarede {reason}");
        if let Err(e) = state
            .app
            .record_refusal("oidc_rejected", None, &ws, &detail)
            .await
        {
            return error(lang, None, e);
        }
        let shown = crate::i18n::problem(&Problem::SsoRefused, lang);
        return (jar, login_form(&state, lang, Some(shown))).into_response();
    }
    match state
        .app
        .citizen_sso_finish(&cookie_state, &cb.state, &cb.code, &ws)
        .await
    {
        Ok(session) => {
            let jar = jar.add(citizen_cookie(session.token, state.config.secure_cookies));
            (jar, Redirect::to("/borger/")).into_response()
        }
        Err(AppError::Refused(p)) => {
            let shown = crate::i18n::problem(&p, lang);
            (jar, login_form(&state, lang, Some(shown))).into_response()
        }
        Err(e) => error(lang, None, e),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    jar: CookieJar,
    CitizenForm(user, _): CitizenForm<Empty>,
) -> Response {
    if let Err(e) = state.app.citizen_logout(&user.token).await {
        return error(lang, Some(&user), e);
    }
    let jar = jar.remove(Cookie::build(CITIZEN_COOKIE).path("/"));
    (jar, Redirect::to("/borger/login")).into_response()
}

/// Sets the citizen's language and goes back to their pages.
pub async fn language(Path(lang): Path<String>, jar: CookieJar) -> Response {
    let value = if lang == "en" { "en" } else { "da" };
    let cookie = Cookie::build((LANG_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/borger")
        .max_age(cookie::time::Duration::days(365))
        .build();
    (jar.add(cookie), Redirect::to("/borger/")).into_response()
}

#[derive(Template)]
#[template(path = "citizen_view/home.html")]
struct HomePage {
    l: CitizenLayout,
}

pub async fn home(CitizenLang(lang): CitizenLang, user: CitizenUser) -> Response {
    render(&HomePage {
        l: CitizenLayout::new(lang, Some(&user), "/borger/"),
    })
}

#[derive(Template)]
#[template(path = "citizen_view/data.html")]
struct DataPage {
    l: CitizenLayout,
    data: MyData,
    notices: Vec<skjold_core::citizen_view::NoticeRecord>,
}

pub async fn data(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    user: CitizenUser,
) -> Response {
    let found = async {
        Ok::<_, AppError>((
            state.app.my_data(&user.citizen).await?,
            state.app.my_notices(&user.citizen).await?,
        ))
    }
    .await;
    match found {
        Ok((data, notices)) => render(&DataPage {
            l: CitizenLayout::new(lang, Some(&user), "/borger/oplysninger"),
            data,
            notices,
        }),
        Err(e) => error(lang, Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "citizen_view/recipients.html")]
struct RecipientsPage {
    l: CitizenLayout,
    recipients: Vec<MyRecipient>,
}

pub async fn recipients(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    user: CitizenUser,
) -> Response {
    match state.app.my_recipients(&user.citizen).await {
        Ok(recipients) => render(&RecipientsPage {
            l: CitizenLayout::new(lang, Some(&user), "/borger/modtagere"),
            recipients,
        }),
        Err(e) => error(lang, Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "citizen_view/log.html")]
struct LogPage {
    l: CitizenLayout,
    log: MyLog,
    /// The entries on this page: `shown.start + 1` to `shown.end` of all.
    shown: std::ops::Range<usize>,
    page: usize,
}

impl LogPage {
    fn entries(&self) -> &[skjold_core::citizen_view::MyLogEntry] {
        &self.log.entries[self.shown.clone()]
    }

    fn first(&self) -> usize {
        self.shown.start + 1
    }

    fn has_next(&self) -> bool {
        self.shown.end < self.log.entries.len()
    }
}

/// Entries per page of "who looked", the newest first.
const LOG_PAGE: usize = 100;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    side: Option<usize>,
}

pub async fn log(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Query(q): Query<PageQuery>,
    user: CitizenUser,
) -> Response {
    match state.app.my_log(&user.citizen).await {
        Ok(log) => {
            let pages = log.entries.len().div_ceil(LOG_PAGE).max(1);
            let page = q.side.unwrap_or(1).clamp(1, pages);
            let start = (page - 1) * LOG_PAGE;
            let end = (start + LOG_PAGE).min(log.entries.len());
            render(&LogPage {
                l: CitizenLayout::new(lang, Some(&user), "/borger/log"),
                log,
                shown: start..end,
                page,
            })
        }
        Err(e) => error(lang, Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "citizen_view/requests.html")]
struct RequestsPage {
    l: CitizenLayout,
    cases: Vec<MyCase>,
}

#[derive(Deserialize, Default)]
pub struct FlashQuery {
    ok: Option<String>,
}

pub async fn requests(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Query(q): Query<FlashQuery>,
    user: CitizenUser,
) -> Response {
    match state.app.my_cases(&user.citizen).await {
        Ok(cases) => {
            let mut l = CitizenLayout::new(lang, Some(&user), "/borger/anmodninger");
            if q.ok.as_deref() == Some("modtaget")
                && let Some(newest) = cases.first()
            {
                l.flash = Some(format!("{} {}.", l.w.filed, newest.summary.due.danish()));
            }
            render(&RequestsPage { l, cases })
        }
        Err(e) => error(lang, Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "citizen_view/new_request.html")]
struct NewRequestPage {
    l: CitizenLayout,
    error: Option<String>,
    kinds: [RightKind; 7],
    grounds: [ErasureGround; 6],
    data: MyData,
    form: RequestForm,
}

impl NewRequestPage {
    fn ground_words(&self, g: &ErasureGround) -> &'static str {
        crate::i18n::rights::ground(g.key())
    }
}

#[derive(Default)]
struct RequestForm {
    kind: String,
    wish: String,
    ground: String,
    description: String,
    items: Vec<Uuid>,
}

async fn request_page(
    state: &AppState,
    lang: Lang,
    user: &CitizenUser,
    form: RequestForm,
    error_text: Option<String>,
) -> Response {
    let data = match state.app.my_data(&user.citizen).await {
        Ok(d) => d,
        Err(e) => return error(lang, Some(user), e),
    };
    let status = if error_text.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = NewRequestPage {
        l: CitizenLayout::new(lang, Some(user), "/borger/anmodninger"),
        error: error_text,
        kinds: RightKind::ALL,
        grounds: ErasureGround::ALL,
        data,
        form,
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct KindQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub async fn new_request(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Query(q): Query<KindQuery>,
    user: CitizenUser,
) -> Response {
    let form = RequestForm {
        kind: q.kind.unwrap_or_else(|| "access".into()),
        wish: "my_data_broadly".into(),
        ..RequestForm::default()
    };
    request_page(&state, lang, &user, form, None).await
}

/// The request from the form's fields: checkboxes `item` repeat, so the form comes as
/// pairs.
fn request_from(
    pairs: &[(String, String)],
    controller: &str,
) -> (RequestForm, Result<MyRequest, Problem>) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = RequestForm {
        kind: get("kind"),
        wish: get("wish"),
        ground: get("ground"),
        description: get("description"),
        items: pairs
            .iter()
            .filter(|(k, _)| k == "item")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    };
    let request = (|| {
        let kind = RightKind::parse(&form.kind)?;
        let access = if kind == RightKind::Access {
            let wish = AccessWish::parse(&form.wish)?;
            let scope = if wish == AccessWish::MyDataBroadly {
                ScopeKind::Administration
            } else {
                ScopeKind::Case
            };
            Some(AccessQuestions::new(
                wish,
                scope,
                controller,
                (None, None),
                &form.description,
            )?)
        } else {
            None
        };
        // The ground the citizen chose for an erasure leads the description.
        let description = if kind == RightKind::Erasure && !form.ground.trim().is_empty() {
            let ground = ErasureGround::parse(&form.ground)?;
            format!(
                "Grundlag: {}. {}",
                crate::i18n::rights::ground(ground.key()),
                form.description
            )
        } else {
            form.description.clone()
        };
        Ok(MyRequest {
            kind,
            description,
            items: form.items.clone(),
            access,
        })
    })();
    (form, request)
}

pub async fn file_request(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    CitizenForm(user, pairs): CitizenForm<Vec<(String, String)>>,
) -> Response {
    let (form, request) = request_from(&pairs, &user.citizen.controller_name);
    let result = match request {
        Ok(r) => state.app.file_my_request(&user.citizen, r).await,
        Err(p) => Err(p.into()),
    };
    match result {
        Ok(_) => Redirect::to("/borger/anmodninger?ok=modtaget").into_response(),
        Err(AppError::Refused(p))
            if matches!(
                p.kind(),
                ProblemKind::Invalid | ProblemKind::Conflict | ProblemKind::NotFound
            ) =>
        {
            let text = crate::i18n::problem(&p, lang);
            request_page(&state, lang, &user, form, Some(text)).await
        }
        Err(e) => error(lang, Some(&user), e),
    }
}

pub async fn letter(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Path(case): Path<String>,
    user: CitizenUser,
) -> Response {
    let Ok(case_id) = Uuid::parse_str(&case) else {
        return error(lang, Some(&user), Problem::RightsCaseNotFound.into());
    };
    match state.app.my_letter(&user.citizen, case_id).await {
        Ok(file) => download(&file.filename, "application/pdf", file.pdf),
        Err(e) => error(lang, Some(&user), e),
    }
}

pub async fn portable_data(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Path((case, format)): Path<(String, String)>,
    user: CitizenUser,
) -> Response {
    let Ok(case_id) = Uuid::parse_str(&case) else {
        return error(lang, Some(&user), Problem::RightsCaseNotFound.into());
    };
    match state
        .app
        .my_portable_data(&user.citizen, case_id, &format)
        .await
    {
        Ok(file) => download(&file.filename, file.content_type, file.bytes),
        Err(e) => error(lang, Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "citizen_view/consents.html")]
struct ConsentsPage {
    l: CitizenLayout,
    consents: Vec<MyConsent>,
    offers: Vec<ConsentOffer>,
    withdrawal: Option<Withdrawal>,
}

async fn consents_page(
    state: &AppState,
    lang: Lang,
    user: &CitizenUser,
    flash: Option<&'static str>,
    withdrawal: Option<Withdrawal>,
) -> Response {
    match state.app.my_consents(&user.citizen).await {
        Ok((consents, offers)) => {
            let mut l = CitizenLayout::new(lang, Some(user), "/borger/samtykker");
            l.flash = flash.map(|f| {
                match f {
                    "givet" => l.w.given_flash,
                    _ => l.w.withdrawn_flash,
                }
                .to_owned()
            });
            render(&ConsentsPage {
                l,
                consents,
                offers,
                withdrawal,
            })
        }
        Err(e) => error(lang, Some(user), e),
    }
}

pub async fn consents(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Query(q): Query<HashMap<String, String>>,
    user: CitizenUser,
) -> Response {
    let flash = match q.get("ok").map(String::as_str) {
        Some("givet") => Some("givet"),
        _ => None,
    };
    consents_page(&state, lang, &user, flash, None).await
}

fn channel_of(key: &str) -> Result<Channel, AppError> {
    Channel::parse(key).ok_or_else(|| Problem::BadChannel.into())
}

pub async fn give_consent(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Path(channel): Path<String>,
    CitizenForm(user, _): CitizenForm<Empty>,
) -> Response {
    let result = match channel_of(&channel) {
        Ok(c) => state.app.give_my_consent(&user.citizen, c).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/borger/samtykker?ok=givet").into_response(),
        Err(e) => error(lang, Some(&user), e),
    }
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    CitizenLang(lang): CitizenLang,
    Path(channel): Path<String>,
    CitizenForm(user, _): CitizenForm<Empty>,
) -> Response {
    let result = match channel_of(&channel) {
        Ok(c) => state.app.withdraw_my_consent(&user.citizen, c).await,
        Err(e) => Err(e),
    };
    match result {
        // Shown at once, on this answer: which recipients were told.
        Ok(w) => consents_page(&state, lang, &user, Some("tilbagekaldt"), Some(w)).await,
        Err(e) => error(lang, Some(&user), e),
    }
}

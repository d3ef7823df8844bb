//! What every page shares: the layout (who is signed in, the role's menu, a success
//! message), rendering, and the error page in Danish with the status the error deserves.

use std::borrow::Cow;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use skjold_app::AppError;
use skjold_core::error::{DateInput, Setting};
use skjold_core::{Input, Problem, ProblemKind, Role};

use crate::error::Failure;
use crate::i18n::{Boundary, Lang};
use crate::session::user::WebUser;

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

/// A role's menu; its first entry is the role's start page.
fn menu(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Caseworker => &[
            ("/borgere", "Borgere og bestillinger"),
            ("/rettigheder", "Rettigheder"),
            ("/beskeder", "Generelle beskeder"),
            // ---- the privacy officer's desk ----
            ("/fortegnelse/anmeld", "Anmeld behandling"),
        ],
        Role::SupplierUser => &[
            ("/leverandoer", "Bestillinger"),
            ("/leverandoer/underretninger", "Underretninger"),
            ("/beskeder", "Generelle beskeder"),
            // ---- DPAs and processors ----
            ("/aftaler", "Databehandleraftaler"),
            // ---- the privacy officer's desk ----
            ("/brud", "Brud på sikkerheden"),
        ],
        Role::PrivacyOfficer | Role::Auditor => &[
            ("/tilsyn", "Opfølgning"),
            ("/rettigheder", "Rettigheder"),
            ("/tilsyn/videregivelser", "Videregivelser"),
            ("/tilsyn/adgangslog", "Adgangslog"),
            ("/tilsyn/log-ind", "Log-ind-rapport"),
            ("/tilsyn/samtykker", "Samtykker"),
            // ---- DPAs and processors ----
            ("/tilsyn/aftaler", "Databehandleraftaler"),
            ("/tilsyn/sikkerhedsregler", "Sikkerhedsregler"),
            // ---- the privacy officer's desk ----
            ("/tilsyn/brud", "Brud"),
            ("/tilsyn/fortegnelse", "Fortegnelse"),
            ("/tilsyn/opbevaring", "Opbevaring"),
        ],
        Role::Administrator => &[
            ("/admin", "Administration"),
            ("/admin/gennemgang", "Adgangsgennemgang"),
            ("/admin/sikkerhed", "Log-ind og sikkerhed"),
            ("/tilsyn/log-ind", "Log-ind-rapport"),
            // ---- DPAs and processors ----
            ("/tilsyn/aftaler", "Databehandleraftaler"),
            ("/tilsyn/sikkerhedsregler", "Sikkerhedsregler"),
            // ---- the privacy officer's desk ----
            ("/tilsyn/fortegnelse", "Fortegnelse"),
            ("/tilsyn/opbevaring", "Opbevaring"),
            // ---- the procurement-data collaboration ----
            ("/fakturaer", "Indkøbsdata"),
        ],
        // ---- the procurement-data collaboration ----
        Role::Buyer => &[("/fakturaer", "Indkøbsdata")],
        Role::Analyst => &[("/analyse", "Deltagere")],
        Role::Reviewer => &[
            ("/analyse/gennemgang", "Gennemgang"),
            ("/analyse", "Deltagere"),
        ],
    }
}

/// The first page of a role.
pub(crate) fn home_of(role: Role) -> &'static str {
    menu(role)[0].0
}

impl Layout {
    pub(crate) fn for_user(user: &WebUser, current: &str) -> Layout {
        let items = menu(user.actor.role);
        // The longest entry the page lies under is the current one.
        let best = items
            .iter()
            .filter(|(href, _)| current.starts_with(href))
            .map(|(href, _)| href.len())
            .max();
        Layout {
            user: Some(UserBar {
                name: user.actor.display_name.clone(),
                role: user.actor.role.danish(),
                organisation: user.actor.organisation_name.clone(),
                csrf: user.csrf.clone(),
            }),
            nav: items
                .iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: current.starts_with(href) && Some(href.len()) == best,
                })
                .collect(),
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
            "bestilt" => {
                "Bestillingen er sendt. Leverandøren har fået opgaven og de automatiske oplysninger."
            }
            "videregivet" => "Oplysningen er videregivet og registreret i videregivelsesloggen.",
            "afsluttet" => "Bestillingen er afsluttet.",
            "oprettet" => "Oprettet.",
            "daekning" => {
                "Aftalens dækning er ændret. Nye bestillinger følger den; bestillinger, der er sendt, står uændret."
            }
            "aendret" => "Ændringen er gemt som en ny version i historikken.",
            "deaktiveret" => {
                "Brugeren er deaktiveret. Brugerens sessioner og API-nøgler virker ikke længere."
            }
            "politik" => {
                "Ændringen er gemt. Politikken har fået en ny version; bestillinger, der allerede er afgivet, beholder den version, de blev afgivet under."
            }
            "sendt" => "Beskeden er sendt.",
            "samtykke" => "Samtykket er registreret.",
            "underretning" => "Underretningen er registreret på borgeren.",
            "borger" => "Borgeren er oprettet. Registreringen er logget.",
            "oplysning" => {
                "Oplysningen er registreret. En tidligere værdi er bevaret under «Tidligere værdier»."
            }
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
            "registreret" => "Anmodningen er registreret. Fristen for svar er beregnet.",
            "identitet" => "Identitetskontrollen er registreret.",
            "forlaenget" => {
                "Fristen er forlænget, og borgeren har fået besked i sin digitale postkasse."
            }
            "sagen-afgjort" => "Afgørelsen er registreret.",
            "svar-gennemgaaet" => "Svaret er gennemgået for andres oplysninger og kan sendes.",
            "besvaret" => "Svaret er sendt til borgerens digitale postkasse.",
            "bidrag" => "Jeres bidrag er sendt til kommunen.",
            "kvitteret" => "Underretningen er kvitteret.",
            // ---- the privacy officer's desk ----
            "brud" => "Bruddet er registreret, og fristerne er beregnet.",
            "brud-anmeldt" => {
                "Kommunen er underrettet om bruddet. Databeskyttelsesrådgiveren har fået det i sit register."
            }
            "frist" => "Fristen er opdateret.",
            "tilknyttet" => {
                "De berørte personer er knyttet til bruddet. Hver borger er registreret i adgangsloggen."
            }
            "fortegnelse-gemt" => "Fortegnelsen er gennemgået og gemt som en ny version.",
            "behandling-anmeldt" => "Behandlingen er anmeldt til databeskyttelsesrådgiveren.",
            "anmeldelse-afgjort" => "Anmeldelsen er behandlet. Enheden kan se afgørelsen.",
            "regel" => "Opbevaringsreglen er gemt. En tidligere regel for det samme er ophævet.",
            "regel-ophaevet" => "Opbevaringsreglen er ophævet.",
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

/// A page, or a page with the form's error (422).
pub(crate) fn page_with(error: &Option<String>, t: &impl Template) -> Response {
    (status_for(error), render(t)).into_response()
}

/// A refusal in the UI's words.
pub(crate) fn words(p: &Problem) -> String {
    crate::i18n::problem(p, Lang::Da)
}

#[derive(Template)]
#[template(path = "layout/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    /// What the reader can do about it.
    advice: &'static str,
    /// The error's code, for support (in an attribute, not in the text).
    code: &'static str,
}

/// A full error page in Danish, with the status the error deserves.
pub fn error_page(user: Option<&WebUser>, e: AppError) -> Response {
    failure_page(user, Failure::App(e))
}

fn failure_page(user: Option<&WebUser>, f: Failure) -> Response {
    f.log();
    let not_found = (
        "Siden findes ikke",
        "Tjek adressen, eller gå til forsiden og find siden i menuen. Er du kommet hertil fra et link i Skjold, så kontakt din administrator.",
    );
    let (heading, advice) = match &f {
        Failure::App(AppError::Refused(p)) => match p.kind() {
            ProblemKind::NotFound => (
                "Ikke fundet",
                "Det, du leder efter, findes ikke, eller du har ikke adgang til det. Gå til forsiden og find det i menuen.",
            ),
            ProblemKind::Forbidden => (
                "Ingen adgang",
                "Din rolle giver ikke adgang til dette. Mener du, at du skal have adgang, så kontakt din administrator.",
            ),
            ProblemKind::Invalid | ProblemKind::Conflict | ProblemKind::TooLarge => (
                "Det kunne ikke lade sig gøre",
                "Gå tilbage, ret det, der står ovenfor, og prøv igen.",
            ),
        },
        Failure::App(AppError::Unauthenticated) => ("Log ind", "Log ind, og prøv igen."),
        Failure::App(AppError::Internal(_)) => (
            "Der skete en fejl",
            "Prøv igen om lidt. Sker det igen, så kontakt din administrator.",
        ),
        Failure::Boundary(Boundary::NoRoute) => not_found,
        Failure::Boundary(_) => (
            "Det kunne ikke lade sig gøre",
            "Gå tilbage til siden, du kom fra, og prøv igen.",
        ),
    };
    let page = ErrorPage {
        layout: user.map_or_else(Layout::anonymous, |u| Layout::for_user(u, "")),
        heading,
        message: f.message(Lang::Da),
        advice,
        code: f.code(),
    };
    (f.status(), render(&page)).into_response()
}

/// The page for an address that is not there, or does not take the method.
pub(crate) fn boundary_page(b: Boundary) -> Response {
    failure_page(None, Failure::Boundary(b))
}

/// The same, in the layout of the user signed in, if one is.
pub(crate) fn boundary_page_for(user: Option<&WebUser>, b: Boundary) -> Response {
    failure_page(user, Failure::Boundary(b))
}

tokio::task_local! {
    /// The form field a refused form's problem is about, while its page is re-rendered.
    static FORM_FIELD: Option<Cow<'static, str>>;
}

/// The field of the refused form that the page being rendered explains, if the problem
/// names one: the error summary (`layout/error_alert.html`) carries it, and the page's
/// script marks that field of the posted form invalid, describes it by the message and
/// links the summary to it.
pub(crate) fn error_field() -> Option<Cow<'static, str>> {
    FORM_FIELD.try_with(Clone::clone).ok().flatten()
}

/// Renders `page` (a refused form shown again) knowing which field `problem` is about.
pub(crate) async fn with_error_field<F: std::future::Future>(
    problem: &Problem,
    page: F,
) -> F::Output {
    FORM_FIELD.scope(form_field(problem), page).await
}

/// The name the forms give the input a problem is about. A form without a field of that
/// name shows the problem in the summary only. A decision on one field of a data request
/// names that field's controls (`decision.<field>`, `reason.<field>`).
fn form_field(p: &Problem) -> Option<Cow<'static, str>> {
    match p {
        Problem::FieldUndecided(f) => return Some(format!("decision.{}", f.key()).into()),
        Problem::FieldDecisionText { field, .. } => {
            return Some(format!("reason.{}", field.key()).into());
        }
        _ => {}
    }
    static_form_field(p).map(Cow::Borrowed)
}

fn static_form_field(p: &Problem) -> Option<&'static str> {
    Some(match p {
        Problem::Required(i)
        | Problem::TooShort { input: i, .. }
        | Problem::TooLong { input: i, .. }
        | Problem::ControlCharacters(i) => input_field(*i)?,
        Problem::CprFormat | Problem::CprImpossibleDate | Problem::CprFutureDate => "cpr",
        Problem::CvrFormat | Problem::CvrChecksum | Problem::CvrRequired => "cvr",
        Problem::UsernameFormat | Problem::UsernameTaken(_) => "username",
        Problem::PasswordTooShort { .. } | Problem::PasswordUnchanged => "new_password",
        Problem::PasswordMismatch => "repeat_password",
        Problem::WrongCurrentPassword => "current_password",
        Problem::BadSecondFactor => "code",
        Problem::ServiceCodeTaken(_) => "code",
        Problem::LastAdministrator | Problem::BadRole(_) => "role",
        Problem::RoleOrganisationMismatch { .. } => "organisation_id",
        Problem::MessageEmpty => "body",
        Problem::GuardConfirmationRequired(_) => "confirmation",
        Problem::OrderTextGuard { input, .. } => input_field(*input)?,
        Problem::OrderPeriod => "until",
        Problem::RetentionTooShort { .. } => "retention",
        Problem::BadOrderReference => "reference",
        Problem::BadOrderStatus(_) => "status",
        Problem::BadDate(d) => match d {
            DateInput::Start => "starts_on",
            DateInput::End => "ends_on",
            DateInput::From => "from",
            DateInput::Until => "until",
            DateInput::Appointment => "date",
            DateInput::Received => "received_on",
        },
        Problem::SettingOutOfRange { setting, .. } => match setting {
            Setting::LockoutThreshold => "lockout_threshold",
            Setting::LockoutWindowHours => "lockout_window_hours",
            Setting::BlockMinutes => "block_minutes",
        },
        _ => return None,
    })
}

fn input_field(i: Input) -> Option<&'static str> {
    Some(match i {
        Input::Name | Input::PurposeName | Input::ServiceName | Input::ProcessingName => "name",
        Input::DisplayName => "display_name",
        Input::Username => "username",
        Input::ServiceCode => "code",
        Input::DpaReference => "reference",
        Input::Description | Input::RequestDescription => "description",
        Input::Instructions => "instructions",
        Input::NationalLaw => "national_law",
        Input::Cvr => "cvr",
        Input::Reason | Input::RejectionReason | Input::ExtensionReason => "reason",
        Input::Justification => "justification",
        Input::Note | Input::RectificationNote => "note",
        Input::Message | Input::RulesBody => "body",
        Input::Confirmation => "confirmation",
        Input::Evidence => "evidence",
        Input::NoticeVersion => "notice_version",
        Input::Place => "place",
        Input::Time => "time",
        Input::Password => "new_password",
        Input::Filename => "files",
        Input::ScopeDetail => "scope_detail",
        Input::Remarks => "remarks",
        Input::IdentityMethod => "method",
        Input::DecisionReasons => "reasons",
        Input::Situation => "situation",
        Input::Grounds => "grounds",
        Input::Safeguards => "safeguards",
        Input::ContactPoint => "contact_point",
        Input::Consequences => "consequences",
        Input::Measures => "measures",
        Input::SubjectCategories => "subject_categories",
        Input::DataCategories => "data_categories",
        Input::SecurityLevel => "security_level",
        Input::RetentionAndReturn => "retention_and_return",
        Input::AuditTerms => "audit_terms",
        Input::LegalReference => "legal_reference",
        Input::Country => "country",
        Input::Document => "document",
        Input::Retention => "retention",
        Input::Contribution => "contribution",
        Input::DatumValue => "value",
        Input::DatumSource => "source",
        Input::DatumPurpose => "purpose",
        Input::Task => "task",
        Input::Scope => "scope",
        Input::SupplierRemark => "remark",
        _ => return None,
    })
}

//! Every route of Skjold, and who may use it: one table. Each route names its [`Access`]
//! — anyone, anyone signed in, or those whose role the role × action table (core's
//! `may`) lets do an action — and the session extractors refuse everyone else before the
//! handler runs. A route without an access rule fails closed.
//!
//! The UI lives at Danish paths, the JSON API under `/api/v1`. Addresses that are not
//! here, and methods an address does not take, answer 404 and 405 in the error shape.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use axum::{Extension, Router};

use skjold_core::Action::*;

use crate::error::ApiError;
use crate::i18n::Boundary;
use crate::pages::{self, is_api};
use crate::session::Access::{self, Anyone, May, MayEither, SignedIn};
use crate::session::MAX_MULTIPART_BYTES;
use crate::{AppState, api, assets};

/// `route` under `access`.
fn at(access: Access, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(Extension(access))
}

/// Takes a message with attachments.
fn large(route: MethodRouter<AppState>, max: usize) -> MethodRouter<AppState> {
    route.layer(DefaultBodyLimit::max(max))
}

pub fn table() -> Router<AppState> {
    use pages::sign_in::{passwords, second_factor, security};
    use pages::{access_review, citizens, data_requests, directory, disclosures, orders};
    use pages::{oversight, rights, sign_in, threads};
    let message = api::threads::MAX_MESSAGE_BODY;
    Router::new()
        // ---- signing in ---------------------------------------------------------------
        .route("/", at(SignedIn, get(sign_in::home)))
        .route(
            "/login",
            at(Anyone, get(sign_in::login_page).post(sign_in::login)),
        )
        .route("/logout", at(SignedIn, post(sign_in::logout)))
        .route(
            "/login/engangskode",
            at(Anyone, get(second_factor::page).post(second_factor::submit)),
        )
        .route(
            "/login/ny-adgangskode",
            at(
                Anyone,
                get(passwords::new_password_page).post(passwords::new_password),
            ),
        )
        .route("/login/sso", at(Anyone, get(sign_in::sso_start)))
        .route(
            "/login/sso/callback",
            at(Anyone, get(sign_in::sso_callback)),
        )
        .route(
            "/konto/adgangskode",
            at(
                May(ChangeOwnPassword),
                get(passwords::change_page).post(passwords::change),
            ),
        )
        // ---- for everyone: the accessibility statement, the staff privacy notice ------
        .route(
            "/tilgaengelighed",
            at(Anyone, get(pages::about::accessibility)),
        )
        .route("/privatliv", at(Anyone, get(pages::about::privacy)))
        // ---- the citizen's own view ---------------------------------------------------
        .merge(citizen_routes())
        // ---- the caseworker -----------------------------------------------------------
        .route("/borgere", at(May(SearchCitizen), get(citizens::index)))
        .route(
            "/borgere/soeg",
            at(May(SearchCitizen), post(citizens::search)),
        )
        .route(
            "/borgere/ny",
            at(May(WorkCitizen), post(citizens::register)),
        )
        .route(
            "/borgere/{id}",
            at(May(WorkCitizen), get(citizens::citizen)),
        )
        .route(
            "/borgere/{id}/oplysninger",
            at(May(WorkCitizen), post(citizens::record_item)),
        )
        .route(
            "/borgere/{id}/samtykke",
            at(May(WorkCitizen), post(citizens::record_consent)),
        )
        .route(
            "/borgere/{id}/underretning",
            at(May(WorkCitizen), post(citizens::record_notice)),
        )
        .route(
            "/borgere/{id}/samtykke/{channel}/tilbagekald",
            at(May(WorkCitizen), post(citizens::withdraw_consent)),
        )
        .route(
            "/borgere/{id}/bestil",
            at(May(PlaceOrder), get(orders::preview)),
        )
        .route("/bestillinger", at(May(PlaceOrder), post(orders::place)))
        .route(
            "/bestillinger",
            at(May(WorkOrder), get(orders::unit_orders)),
        )
        .route(
            "/bestillinger/soeg",
            at(May(WorkOrder), post(orders::search_citizen)),
        )
        .route("/bestillinger/{id}", at(May(WorkOrder), get(orders::order)))
        .route(
            "/bestillinger/{id}/videregiv",
            at(May(WorkOrder), post(disclosures::disclose)),
        )
        .route(
            "/bestillinger/{id}/paamindelse",
            at(May(WorkOrder), post(orders::send_reminder)),
        )
        .route(
            "/bestillinger/{id}/afslut",
            at(May(WorkOrder), get(orders::close_page).post(orders::close)),
        )
        .route(
            "/bestillinger/{id}/stedfortraeder",
            at(
                May(OpenStandIn),
                get(orders::stand_in_page).post(orders::open_stand_in),
            ),
        )
        .route(
            "/bestillinger/{id}/besked",
            at(
                May(WorkOrder),
                large(post(threads::caseworker_message), MAX_MULTIPART_BYTES),
            ),
        )
        .route(
            "/anmodninger/{id}",
            at(May(DecideRequest), post(data_requests::decide)),
        )
        .route(
            "/vedhaeftninger/{id}",
            at(May(UseOrderThread), get(threads::attachment)),
        )
        // ---- data-subject rights -------------------------------------------------------
        .route(
            "/rettigheder",
            at(MayEither(HandleRights, OverseeRights), get(rights::index)),
        )
        .route("/rettigheder", at(May(HandleRights), post(rights::create)))
        .route(
            "/rettigheder/ny",
            at(May(HandleRights), get(rights::new_page)),
        )
        .route(
            "/rettigheder/eksport.csv",
            at(May(OverseeRights), get(rights::export)),
        )
        .route(
            "/rettigheder/opgaver/{id}",
            at(May(ContributeToRights), post(rights::contribute)),
        )
        .route(
            "/rettigheder/{id}",
            at(May(HandleRights), get(rights::case)),
        )
        .route(
            "/rettigheder/{id}/identitet",
            at(May(HandleRights), post(rights::identity)),
        )
        .route(
            "/rettigheder/{id}/forlaeng",
            at(May(HandleRights), post(rights::extend)),
        )
        .route(
            "/rettigheder/{id}/afgoerelse",
            at(May(HandleRights), post(rights::decide)),
        )
        .route(
            "/rettigheder/{id}/gennemgaaet",
            at(May(HandleRights), post(rights::review)),
        )
        .route(
            "/rettigheder/{id}/send",
            at(May(HandleRights), post(rights::send)),
        )
        .route(
            "/rettigheder/{id}/brev.pdf",
            at(May(HandleRights), get(rights::letter)),
        )
        // ---- the supplier -------------------------------------------------------------
        .route(
            "/leverandoer",
            at(May(SupplyOrder), get(orders::supplier_orders)),
        )
        .route(
            "/leverandoer/bestillinger/{id}",
            at(May(SupplyOrder), get(orders::supplier_order)),
        )
        .route(
            "/leverandoer/bestillinger/{id}/besked",
            at(
                May(SupplyOrder),
                large(post(threads::supplier_message), MAX_MULTIPART_BYTES),
            ),
        )
        .route(
            "/leverandoer/bestillinger/{id}/anmodning",
            at(May(RequestData), post(data_requests::request)),
        )
        .route(
            "/leverandoer/underretninger",
            at(May(AcknowledgeNotice), get(rights::notices)),
        )
        .route(
            "/leverandoer/underretninger/{id}/kvitter",
            at(May(AcknowledgeNotice), post(rights::acknowledge)),
        )
        .route(
            "/leverandoer/bestillinger/{id}/sletning",
            at(May(ConfirmDeletion), post(orders::confirm_deletion)),
        )
        // ---- both sides: general threads ----------------------------------------------
        .route(
            "/beskeder",
            at(May(UseGeneralThread), get(threads::general_threads)),
        )
        .route(
            "/beskeder/{org}",
            at(
                May(UseGeneralThread),
                large(
                    get(threads::general_thread).post(threads::general_message),
                    MAX_MULTIPART_BYTES,
                ),
            ),
        )
        .route(
            "/beskeder/vedhaeftninger/{id}",
            at(May(UseGeneralThread), get(threads::general_attachment)),
        )
        // ---- oversight ----------------------------------------------------------------
        .route("/tilsyn", at(May(ReadFollowUp), get(oversight::follow_up)))
        .route(
            "/tilsyn/samtykker",
            at(
                MayEither(ManageConsentTexts, ReadLogs),
                get(oversight::consent_texts),
            )
            .merge(at(
                May(ManageConsentTexts),
                post(oversight::add_consent_text),
            )),
        )
        .route(
            "/tilsyn/stedfortraeder/{id}",
            at(May(RecordFollowUp), post(oversight::follow_up_stand_in)),
        )
        .route(
            "/tilsyn/videregivelser",
            at(
                May(ReadLogs),
                get(oversight::ledger).post(oversight::ledger_filtered),
            ),
        )
        .route(
            "/tilsyn/adgangslog",
            at(
                May(ReadLogs),
                get(oversight::access_log).post(oversight::access_log_filtered),
            ),
        )
        .route(
            "/tilsyn/adgangslog/eksport",
            at(May(ReadLogs), post(oversight::export)),
        )
        .route(
            "/tilsyn/videregivelser/eksport",
            at(May(ReadLogs), post(oversight::export_ledger)),
        )
        .route(
            "/tilsyn/log-ind",
            at(May(ReadSignInReport), get(security::report)),
        )
        // ---- DPAs and processors --------------------------------------------------------
        .route(
            "/tilsyn/aftaler",
            at(
                MayEither(ManageProcessors, ReadRecords),
                get(pages::processors::index),
            ),
        )
        .route(
            "/tilsyn/aftaler/{id}",
            at(
                MayEither(ManageProcessors, ReadRecords),
                get(pages::processors::desk),
            ),
        )
        .route(
            "/tilsyn/overfoersler/{id}/dokument",
            at(
                MayEither(ManageProcessors, ReadRecords),
                get(pages::processors::transfer_document),
            ),
        )
        .route(
            "/tilsyn/aftaler/{id}/tilbagelevering",
            at(May(ManageProcessors), get(pages::processors::return_export)),
        )
        .route(
            "/tilsyn/aftaler/{id}/versioner",
            at(May(ManageProcessors), post(pages::processors::new_version)),
        )
        .route(
            "/tilsyn/aftaler/{id}/underdatabehandlere/{change}/indsigelse",
            at(May(ManageProcessors), post(pages::processors::object)),
        )
        .route(
            "/tilsyn/aftaler/{id}/overfoersler/{transfer}/afgoerelse",
            at(
                May(ManageProcessors),
                post(pages::processors::decide_transfer),
            ),
        )
        .route(
            "/tilsyn/aftaler/{id}/revision",
            at(May(ManageProcessors), post(pages::processors::record_audit)),
        )
        .route(
            "/tilsyn/aftaler/{id}/henvendelser/{notice}/behandlet",
            at(
                May(ManageProcessors),
                post(pages::processors::handle_notice),
            ),
        )
        .route(
            "/tilsyn/sikkerhedsregler",
            at(
                MayEither(ReadRecords, ManageProcessors),
                get(pages::processors::security_rules),
            )
            .merge(at(
                May(ManageProcessors),
                post(pages::processors::approve_security_rules),
            )),
        )
        .route(
            "/aftaler",
            at(May(ActAsProcessor), get(pages::processors::supplier_index)),
        )
        .route(
            "/aftaler/{id}",
            at(May(ActAsProcessor), get(pages::processors::supplier_desk)),
        )
        .route(
            "/aftaler/{id}/versioner/{version}/kvitter",
            at(May(ActAsProcessor), post(pages::processors::acknowledge)),
        )
        .route(
            "/aftaler/{id}/underdatabehandlere",
            at(May(ActAsProcessor), post(pages::processors::announce)),
        )
        .route(
            "/aftaler/{id}/overfoersler",
            at(
                May(ActAsProcessor),
                large(
                    post(pages::processors::present_transfer),
                    MAX_MULTIPART_BYTES,
                ),
            ),
        )
        .route(
            "/aftaler/{id}/henvendelser",
            at(May(ActAsProcessor), post(pages::processors::send_notice)),
        )
        .route(
            "/aftaler/{id}/ophoer",
            at(May(ActAsProcessor), post(pages::processors::confirm_end)),
        )
        // ---- administration -----------------------------------------------------------
        .route("/admin", at(May(Administer), get(directory::admin)))
        .route(
            "/admin/organisationer",
            at(May(Administer), post(directory::create_organisation)),
        )
        .route(
            "/admin/brugere",
            at(May(Administer), post(directory::create_user)),
        )
        .route(
            "/admin/formaal",
            at(May(Administer), post(directory::create_purpose)),
        )
        .route(
            "/admin/ydelser",
            at(May(Administer), post(directory::create_service_type)),
        )
        .route(
            "/admin/aftaler",
            at(May(Administer), post(directory::create_dpa)),
        )
        .route(
            "/admin/aftaler/{id}/ydelser",
            at(May(Administer), post(directory::set_dpa_coverage)),
        )
        .route(
            "/admin/organisationer/{id}",
            at(
                May(Administer),
                get(directory::organisation).post(directory::edit_organisation),
            ),
        )
        .route(
            "/admin/brugere/{id}",
            at(
                May(Administer),
                get(directory::user).post(directory::edit_user),
            ),
        )
        .route(
            "/admin/formaal/{id}",
            at(
                May(Administer),
                get(directory::purpose).post(directory::edit_purpose),
            ),
        )
        .route(
            "/admin/ydelser/{id}",
            at(
                May(Administer),
                get(directory::service_type).post(directory::edit_service_type),
            ),
        )
        .route(
            "/admin/aftaler/{id}",
            at(
                May(Administer),
                get(directory::dpa).post(directory::edit_dpa),
            ),
        )
        .route(
            "/admin/sikkerhed",
            at(
                May(ManageSignIn),
                get(security::settings).post(security::save_settings),
            ),
        )
        .route(
            "/admin/sikkerhed/spaerringer/{id}",
            at(May(ManageSignIn), post(security::unblock)),
        )
        .route(
            "/admin/sikkerhed/engangskode/{id}",
            at(May(ManageSignIn), post(security::reset_second_factor)),
        )
        .route(
            "/admin/sikkerhed/adgangskode/{id}",
            at(May(ManageSignIn), post(passwords::require_reset)),
        )
        .route(
            "/admin/gennemgang",
            at(May(ReviewAccess), get(access_review::review)),
        )
        .route(
            "/admin/gennemgang/{id}",
            at(May(ReviewAccess), post(access_review::decide)),
        )
        // ---- the privacy officer's desk ----
        .merge(desk_pages())
        .merge(invoices_pages())
        .merge(api_table(message))
        .route("/static/{*path}", get(assets::serve))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
}

fn api_table(message: usize) -> Router<AppState> {
    use api::{catalogue, citizens, data_requests, directory, disclosures, orders};
    use api::{oversight, rights, threads};
    Router::new()
        .route("/api/v1/openapi.json", at(Anyone, get(api::openapi)))
        .route("/api/v1/me", at(SignedIn, get(directory::me)))
        // ---- directory and catalogue ----------------------------------------------------
        .route(
            "/api/v1/organisations",
            at(May(ReadCatalogue), get(directory::organisations)),
        )
        .route(
            "/api/v1/organisations",
            at(May(Administer), post(directory::create_organisation)),
        )
        .route(
            "/api/v1/users",
            at(May(Administer), post(directory::create_user)),
        )
        .route(
            "/api/v1/purposes",
            at(May(ReadCatalogue), get(catalogue::purposes)),
        )
        .route(
            "/api/v1/purposes",
            at(May(Administer), post(catalogue::create_purpose)),
        )
        .route(
            "/api/v1/service-types",
            at(May(ReadCatalogue), get(catalogue::service_types)),
        )
        .route(
            "/api/v1/service-types",
            at(May(Administer), post(catalogue::create_service_type)),
        )
        .route("/api/v1/dpas", at(May(ReadCatalogue), get(catalogue::dpas)))
        .route(
            "/api/v1/dpas",
            at(May(Administer), post(catalogue::create_dpa)),
        )
        .route(
            "/api/v1/dpas/{id}/coverage",
            at(May(Administer), post(catalogue::set_dpa_coverage)),
        )
        // ---- the administrator's edits, each a new version ----------------------------------
        .route(
            "/api/v1/organisations/{id}",
            at(May(Administer), patch(directory::edit_organisation)),
        )
        .route(
            "/api/v1/organisations/{id}/history",
            at(May(Administer), get(directory::organisation_history)),
        )
        .route(
            "/api/v1/users/{id}",
            at(May(Administer), patch(directory::edit_user)),
        )
        .route(
            "/api/v1/users/{id}/history",
            at(May(Administer), get(directory::user_history)),
        )
        .route(
            "/api/v1/purposes/{id}",
            at(May(Administer), put(catalogue::edit_purpose)),
        )
        .route(
            "/api/v1/purposes/{id}/history",
            at(May(Administer), get(catalogue::purpose_history)),
        )
        .route(
            "/api/v1/service-types/{id}",
            at(May(Administer), put(catalogue::edit_service_type)),
        )
        .route(
            "/api/v1/service-types/{id}/history",
            at(May(Administer), get(catalogue::service_type_history)),
        )
        .route(
            "/api/v1/service-types/{id}/policy-versions",
            at(May(Administer), get(catalogue::policy_versions)),
        )
        .route(
            "/api/v1/dpas/{id}",
            at(May(Administer), put(catalogue::edit_dpa)),
        )
        .route(
            "/api/v1/dpas/{id}/history",
            at(May(Administer), get(catalogue::dpa_history)),
        )
        // ---- DPAs and processors ----------------------------------------------------------
        .route(
            "/api/v1/dpa-desks",
            at(May(ReadProcessors), get(api::processors::desks)),
        )
        .route(
            "/api/v1/dpas/{id}/desk",
            at(May(ReadProcessors), get(api::processors::desk)),
        )
        .route(
            "/api/v1/dpas/{id}/versions",
            at(May(ManageProcessors), post(api::processors::new_version)),
        )
        .route(
            "/api/v1/dpa-versions/{id}/acknowledge",
            at(May(ActAsProcessor), post(api::processors::acknowledge)),
        )
        .route(
            "/api/v1/dpas/{id}/sub-processors",
            at(May(ActAsProcessor), post(api::processors::announce)),
        )
        .route(
            "/api/v1/sub-processors/{id}/objection",
            at(May(ManageProcessors), post(api::processors::object)),
        )
        .route(
            "/api/v1/dpas/{id}/transfers",
            at(
                May(ActAsProcessor),
                large(post(api::processors::present_transfer), message),
            ),
        )
        .route(
            "/api/v1/transfers/{id}/decision",
            at(
                May(ManageProcessors),
                post(api::processors::decide_transfer),
            ),
        )
        .route(
            "/api/v1/dpas/{id}/audits",
            at(May(ManageProcessors), post(api::processors::record_audit)),
        )
        .route(
            "/api/v1/dpas/{id}/notices",
            at(May(ActAsProcessor), post(api::processors::send_notice)),
        )
        .route(
            "/api/v1/processor-notices/{id}/handled",
            at(May(ManageProcessors), post(api::processors::handle_notice)),
        )
        .route(
            "/api/v1/dpas/{id}/end-confirmation",
            at(May(ActAsProcessor), post(api::processors::confirm_end)),
        )
        .route(
            "/api/v1/transfers/{id}/document",
            at(May(ReadProcessors), get(api::processors::transfer_document)),
        )
        .route(
            "/api/v1/dpas/{id}/return-export",
            at(May(ManageProcessors), get(api::processors::return_export)),
        )
        .route(
            "/api/v1/security-rules",
            at(
                MayEither(ReadRecords, ManageProcessors),
                get(api::processors::security_rules),
            ),
        )
        .route(
            "/api/v1/security-rules",
            at(
                May(ManageProcessors),
                post(api::processors::approve_security_rules),
            ),
        )
        // ---- citizens -------------------------------------------------------------------
        .route(
            "/api/v1/citizens",
            at(May(WorkCitizen), post(citizens::register)),
        )
        .route(
            "/api/v1/citizens/{id}/data",
            at(May(WorkCitizen), post(citizens::record_item)),
        )
        .route(
            "/api/v1/citizens/search",
            at(May(SearchCitizen), post(citizens::search)),
        )
        .route(
            "/api/v1/citizens/{id}",
            at(May(WorkCitizen), get(citizens::citizen)),
        )
        .route(
            "/api/v1/citizens/{id}/consents",
            at(
                May(WorkCitizen),
                get(citizens::consents).post(citizens::record_consent),
            ),
        )
        .route(
            "/api/v1/citizens/{id}/consents/{channel}/withdraw",
            at(May(WorkCitizen), post(citizens::withdraw_consent)),
        )
        // ---- orders and disclosures -------------------------------------------------------
        .route("/api/v1/orders", at(May(ListOrders), get(orders::orders)))
        .route("/api/v1/orders", at(May(PlaceOrder), post(orders::place)))
        .route(
            "/api/v1/orders/preview",
            at(May(PlaceOrder), post(orders::preview)),
        )
        .route(
            "/api/v1/orders/{id}",
            at(May(ViewOrder), get(orders::order)),
        )
        .route(
            "/api/v1/orders/{id}/disclosures",
            at(May(WorkOrder), post(disclosures::disclose)),
        )
        .route(
            "/api/v1/orders/{id}/close",
            at(May(WorkOrder), post(orders::close)),
        )
        .route(
            "/api/v1/orders/{id}/stand-in",
            at(May(OpenStandIn), post(orders::open_stand_in)),
        )
        .route(
            "/api/v1/orders/{id}/deletion-confirmation",
            at(May(ConfirmDeletion), post(orders::confirm_deletion)),
        )
        .route(
            "/api/v1/orders/{id}/reminders",
            at(May(WorkOrder), post(orders::send_reminder)),
        )
        // ---- threads and data requests ----------------------------------------------------
        .route(
            "/api/v1/orders/{id}/thread",
            at(May(UseOrderThread), get(threads::thread)),
        )
        .route(
            "/api/v1/orders/{id}/messages",
            at(
                May(UseOrderThread),
                large(post(threads::send_message), message),
            ),
        )
        .route(
            "/api/v1/attachments/{id}",
            at(May(UseOrderThread), get(threads::attachment)),
        )
        .route(
            "/api/v1/orders/{id}/data-requests",
            at(May(RequestData), post(data_requests::request_data)),
        )
        .route(
            "/api/v1/data-requests",
            at(May(DecideRequest), get(data_requests::open_requests)),
        )
        .route(
            "/api/v1/data-requests/{id}/decision",
            at(May(DecideRequest), post(data_requests::decide)),
        )
        .route(
            "/api/v1/general-threads",
            at(May(UseGeneralThread), get(threads::general_threads)),
        )
        .route(
            "/api/v1/general-threads/{org}",
            at(May(UseGeneralThread), get(threads::general_thread)),
        )
        .route(
            "/api/v1/general-threads/{org}/messages",
            at(
                May(UseGeneralThread),
                large(post(threads::send_general_message), message),
            ),
        )
        .route(
            "/api/v1/general-attachments/{id}",
            at(May(UseGeneralThread), get(threads::general_attachment)),
        )
        // ---- data-subject rights ------------------------------------------------------------
        .route(
            "/api/v1/rights-cases",
            at(MayEither(HandleRights, OverseeRights), get(rights::cases)),
        )
        .route(
            "/api/v1/rights-cases",
            at(May(HandleRights), post(rights::create)),
        )
        .route(
            "/api/v1/rights-cases/export",
            at(May(OverseeRights), get(rights::export)),
        )
        .route(
            "/api/v1/rights-cases/{id}",
            at(May(HandleRights), get(rights::case)),
        )
        .route(
            "/api/v1/rights-cases/{id}/identity",
            at(May(HandleRights), post(rights::identity)),
        )
        .route(
            "/api/v1/rights-cases/{id}/extension",
            at(May(HandleRights), post(rights::extend)),
        )
        .route(
            "/api/v1/rights-cases/{id}/decision",
            at(May(HandleRights), post(rights::decide)),
        )
        .route(
            "/api/v1/rights-cases/{id}/answer",
            at(May(HandleRights), get(rights::answer)),
        )
        .route(
            "/api/v1/rights-cases/{id}/letter",
            at(May(HandleRights), get(rights::letter)),
        )
        .route(
            "/api/v1/rights-cases/{id}/review",
            at(May(HandleRights), post(rights::review)),
        )
        .route(
            "/api/v1/rights-cases/{id}/send",
            at(May(HandleRights), post(rights::send)),
        )
        .route(
            "/api/v1/rights-tasks",
            at(May(ContributeToRights), get(rights::tasks)),
        )
        .route(
            "/api/v1/rights-tasks/{id}/contribution",
            at(May(ContributeToRights), post(rights::contribute)),
        )
        .route(
            "/api/v1/notifications",
            at(May(AcknowledgeNotice), get(rights::notifications)),
        )
        .route(
            "/api/v1/notifications/{id}/acknowledge",
            at(May(AcknowledgeNotice), post(rights::acknowledge)),
        )
        // ---- oversight ------------------------------------------------------------------
        .route(
            "/api/v1/follow-up",
            at(May(ReadFollowUp), get(oversight::follow_up)),
        )
        .route(
            "/api/v1/stand-ins/{id}/follow-up",
            at(May(RecordFollowUp), post(oversight::follow_up_stand_in)),
        )
        .route(
            "/api/v1/ledger/query",
            at(May(ReadLogs), post(oversight::ledger)),
        )
        .route(
            "/api/v1/access-log/query",
            at(May(ReadLogs), post(oversight::access_log)),
        )
        .route(
            "/api/v1/access-log/export",
            at(May(ReadLogs), post(oversight::export)),
        )
        .route(
            "/api/v1/ledger/export",
            at(May(ReadLogs), post(oversight::export_ledger)),
        )
        .merge(desk_api())
        .merge(invoices_api())
}

/// ---- the privacy officer's desk ----: the breach register, the records of processing
/// and retention. The privacy officer works them; the auditor reads them (the register
/// through `ReadLogs`, as the consent registry does); a supplier reports its own breaches
/// at `/brud`, a caseworker its unit's new processing at `/fortegnelse/anmeld`.
fn desk_pages() -> Router<AppState> {
    use pages::{breaches, records, retention};
    let read_register = MayEither(ManageBreaches, ReadLogs);
    Router::new()
        // ---- the privacy officer's desk -------------------------------------------------
        .route(
            "/tilsyn/brud",
            at(read_register, get(breaches::register))
                .merge(at(May(ManageBreaches), post(breaches::record))),
        )
        .route(
            "/tilsyn/brud/{id}",
            at(read_register, get(breaches::breach)),
        )
        .route(
            "/tilsyn/brud/{id}/frist/{clock}",
            at(May(ManageBreaches), post(breaches::record_clock)),
        )
        .route(
            "/tilsyn/brud/{id}/beroerte",
            at(May(ManageBreaches), post(breaches::search)),
        )
        .route(
            "/tilsyn/brud/{id}/beroerte/tilknyt",
            at(May(ManageBreaches), post(breaches::attach)),
        )
        .route(
            "/tilsyn/brud/{id}/rapport.pdf",
            at(read_register, get(breaches::report_pdf)),
        )
        .route(
            "/brud",
            at(
                May(ReportBreach),
                get(breaches::supplier_register).post(breaches::supplier_report),
            ),
        )
        .route(
            "/tilsyn/fortegnelse",
            at(May(ReadRecords), get(records::records)),
        )
        .route(
            "/tilsyn/fortegnelse/gennemgaa",
            at(May(ReviewRecords), post(records::review)),
        )
        .route(
            "/tilsyn/fortegnelse/eksport/{format}",
            at(May(ReadRecords), get(records::export)),
        )
        .route(
            "/tilsyn/fortegnelse/anmeldelser/{id}",
            at(May(ReviewRecords), post(records::decide)),
        )
        .route(
            "/fortegnelse/anmeld",
            at(
                May(ReportProcessing),
                get(records::report_form).post(records::report),
            ),
        )
        .route(
            "/tilsyn/opbevaring",
            at(
                MayEither(ReadRecords, ManageRetention),
                get(retention::retention),
            ),
        )
        .route(
            "/tilsyn/opbevaring/regler",
            at(May(ManageRetention), post(retention::add_rule)),
        )
        .route(
            "/tilsyn/opbevaring/regler/{id}/ophaev",
            at(May(ManageRetention), post(retention::retire_rule)),
        )
        .route(
            "/tilsyn/opbevaring/koer",
            at(May(ManageRetention), post(retention::run)),
        )
}

/// ---- the privacy officer's desk ----: the breach register, the records of processing
/// and retention, for integrations.
fn desk_api() -> Router<AppState> {
    use api::{breaches, records, retention};
    Router::new()
        // ---- the privacy officer's desk -------------------------------------------------
        .route(
            "/api/v1/breaches",
            at(May(ReadBreaches), get(breaches::breaches)),
        )
        .route(
            "/api/v1/breaches",
            at(May(ReportBreach), post(breaches::report)),
        )
        .route(
            "/api/v1/breaches/affected",
            at(May(ManageBreaches), post(breaches::affected)),
        )
        .route(
            "/api/v1/breaches/{id}",
            at(May(ReadBreaches), get(breaches::breach)),
        )
        .route(
            "/api/v1/breaches/{id}/clocks/{clock}",
            at(May(ManageBreaches), post(breaches::record_clock)),
        )
        .route(
            "/api/v1/breaches/{id}/affected",
            at(May(ManageBreaches), post(breaches::attach_affected)),
        )
        .route(
            "/api/v1/breaches/{id}/report",
            at(May(ReadBreaches), get(breaches::report_pdf)),
        )
        .route(
            "/api/v1/records",
            at(May(ReadRecords), get(records::export)),
        )
        .route(
            "/api/v1/records/versions",
            at(May(ReadRecords), get(records::versions)),
        )
        .route(
            "/api/v1/records/review",
            at(May(ReviewRecords), post(records::review)),
        )
        .route(
            "/api/v1/records/drafts",
            at(
                MayEither(ReadRecords, ReportProcessing),
                get(records::drafts),
            ),
        )
        .route(
            "/api/v1/records/drafts",
            at(May(ReportProcessing), post(records::report)),
        )
        .route(
            "/api/v1/records/drafts/{id}/decision",
            at(May(ReviewRecords), post(records::decide)),
        )
        .route(
            "/api/v1/retention/rules",
            at(
                MayEither(ReadRecords, ManageRetention),
                get(retention::rules),
            ),
        )
        .route(
            "/api/v1/retention/rules",
            at(May(ManageRetention), post(retention::set_rule)),
        )
        .route(
            "/api/v1/retention/rules/{id}",
            at(May(ManageRetention), delete(retention::retire_rule)),
        )
        .route(
            "/api/v1/retention/run",
            at(May(ManageRetention), post(retention::run)),
        )
        .route(
            "/api/v1/retention/receipts",
            at(May(ReadRecords), get(retention::receipts)),
        )
        .route(
            "/api/v1/retention/deliveries",
            at(May(ReadRecords), get(retention::deliveries)),
        )
}

/// ---- the procurement-data collaboration ----: a participating organisation's analysis,
/// upload and downloads; the analysis service's participants and review queue.
fn invoices_pages() -> Router<AppState> {
    use pages::invoices;
    let upload = invoices::MAX_UPLOAD_BYTES;
    Router::new()
        .route(
            "/fakturaer",
            at(MayEither(ReadOwnSpend, SendInvoices), get(invoices::spend)),
        )
        .route(
            "/fakturaer/send",
            at(May(SendInvoices), large(post(invoices::send), upload)),
        )
        .route(
            "/fakturaer/egne-data.zip",
            at(May(ReadOwnSpend), get(invoices::own_data)),
        )
        .route(
            "/fakturaer/{format}",
            at(May(ReadOwnSpend), get(invoices::report_download)),
        )
        .route(
            "/analyse",
            at(May(AnalyseInvoices), get(invoices::participants)),
        )
        .route(
            "/analyse/gennemgang",
            at(May(ReviewInvoices), get(invoices::queue)),
        )
        .route(
            "/analyse/gennemgang/{id}",
            at(
                May(ReviewInvoices),
                get(invoices::review).post(invoices::decide),
            ),
        )
}

/// ---- the procurement-data collaboration ----, for integrations.
fn invoices_api() -> Router<AppState> {
    use api::invoices;
    let upload = pages::invoices::MAX_UPLOAD_BYTES;
    Router::new()
        .route(
            "/api/v1/invoices",
            at(May(SendInvoices), large(post(invoices::send), upload)),
        )
        .route(
            "/api/v1/invoices/participation",
            at(May(Administer), put(invoices::join)),
        )
        .route(
            "/api/v1/invoices/report",
            at(May(ReadOwnSpend), get(invoices::report)),
        )
        .route(
            "/api/v1/invoices/own-data",
            at(May(ReadOwnSpend), get(invoices::own_data)),
        )
        .route(
            "/api/v1/invoices/review",
            at(May(ReviewInvoices), get(invoices::queue)),
        )
        .route(
            "/api/v1/invoices/review/{id}",
            at(May(ReviewInvoices), get(invoices::document)),
        )
        .route(
            "/api/v1/invoices/review/{id}/decision",
            at(May(ReviewInvoices), post(invoices::decide)),
        )
}

/// The citizen's pages: their sessions reach these and nothing else.
fn citizen_routes() -> Router<AppState> {
    use crate::session::Access::Citizen;
    use pages::citizen_view as cv;
    Router::new()
        .route("/borger", at(Citizen, get(cv::home)))
        .route("/borger/", at(Citizen, get(cv::home)))
        .route("/borger/login", at(Anyone, get(cv::login_page)))
        .route("/borger/login/mitid", at(Anyone, get(cv::mitid_start)))
        .route(
            "/borger/login/callback",
            at(Anyone, get(cv::mitid_callback)),
        )
        .route("/borger/sprog/{lang}", at(Anyone, get(cv::language)))
        .route("/borger/logout", at(Citizen, post(cv::logout)))
        .route("/borger/oplysninger", at(Citizen, get(cv::data)))
        .route("/borger/modtagere", at(Citizen, get(cv::recipients)))
        .route("/borger/log", at(Citizen, get(cv::log)))
        .route(
            "/borger/anmodninger",
            at(Citizen, get(cv::requests).post(cv::file_request)),
        )
        .route("/borger/anmodninger/ny", at(Citizen, get(cv::new_request)))
        .route(
            "/borger/anmodninger/{id}/svar",
            at(Citizen, get(cv::letter)),
        )
        .route(
            "/borger/anmodninger/{id}/data/{format}",
            at(Citizen, get(cv::portable_data)),
        )
        .route("/borger/samtykker", at(Citizen, get(cv::consents)))
        .route(
            "/borger/samtykker/{channel}/giv",
            at(Citizen, post(cv::give_consent)),
        )
        .route(
            "/borger/samtykker/{channel}/tilbagekald",
            at(Citizen, post(cv::withdraw_consent)),
        )
}

async fn no_route(State(state): State<AppState>, req: Request) -> Response {
    boundary(&state, req, Boundary::NoRoute).await
}

async fn method_not_allowed(State(state): State<AppState>, req: Request) -> Response {
    boundary(&state, req, Boundary::MethodNotAllowed).await
}

async fn boundary(state: &AppState, req: Request, b: Boundary) -> Response {
    if is_api(req.uri()) {
        ApiError::from(b).into_response()
    } else {
        let (mut parts, _) = req.into_parts();
        pages::boundary_page_at(state, &mut parts, b).await
    }
}

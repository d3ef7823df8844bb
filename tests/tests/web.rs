//! The HTTP boundary: an authorisation matrix over every role × endpoint × own/other
//! organisation × disclosed/undisclosed field × DPA in force/expired, plus CSRF, sign-in
//! and API error contracts. Runs the real router in-process, on SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use common::World;
use common::http::{Reply, call, html_escape, multipart, router};
use skjold_core::{FieldKey, Role};
use skjold_store::gate::NewOrder;
use skjold_store::{Backend, OrgKind};

on_both_backends!(
    authorisation_matrix_finds_no_leak,
    csrf_and_sign_in,
    api_contract,
    attachments_over_http,
    consent_and_reminder_forms,
);

/// What a caller may see of the citizen through one endpoint.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Denied,
    /// Allowed; these fields' values may (and do) appear.
    Sees(BTreeSet<FieldKey>),
}

fn sees(fields: &[FieldKey]) -> Expect {
    Expect::Sees(fields.iter().copied().collect())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Admin,
    Caseworker,
    /// A caseworker of another unit of the same municipality, with no way into the case.
    OtherUnitCaseworker,
    /// A caseworker of a third unit holding a stand-in access on the order.
    StandInCaseworker,
    OtherMunicipalityCaseworker,
    Supplier,
    OtherSupplier,
    ExpiredSupplier,
    Dpo,
    Auditor,
}

const EVERYONE: [Who; 10] = [
    Who::Admin,
    Who::Caseworker,
    Who::OtherUnitCaseworker,
    Who::StandInCaseworker,
    Who::OtherMunicipalityCaseworker,
    Who::Supplier,
    Who::OtherSupplier,
    Who::ExpiredSupplier,
    Who::Dpo,
    Who::Auditor,
];

#[derive(Debug, Clone, Copy)]
enum Endpoint {
    CitizenView,
    CitizenSearch,
    OrderInForce,
    OrderExpiredDpa,
    OrderList,
    OrderPreview,
    PlaceOrder,
    DiscloseAddress,
    Ledger,
    AccessLog,
    CreateSupplier,
    HtmlCitizen,
    HtmlCaseworkerOrder,
    HtmlSupplierOrder,
    HtmlSupplierExpiredOrder,
    HtmlLedger,
    HtmlAdmin,
    Me,
    Organisations,
    Purposes,
    ServiceTypes,
    Dpas,
    CreateUser,
    CreatePurpose,
    CreateServiceType,
    CreateDpa,
    CloseOrder,
    HtmlCitizens,
    HtmlSupplierOrders,
    HtmlAccessLog,
    HtmlPreview,
    HtmlDisclose,
    HtmlCreateOrganisation,
    Thread,
    SendMessage,
    RequestData,
    OpenRequests,
    DecideRequest,
    HtmlCaseworkerMessage,
    HtmlSupplierMessage,
    HtmlSupplierRequest,
    GeneralThreads,
    GeneralThreadWithSupplier,
    GeneralThreadWithMunicipality,
    SendGeneralMessage,
    GeneralAttachment,
    HtmlGeneralThread,
    HtmlGeneralMessage,
    ExportAccessLog,
    HtmlExportAccessLog,
    HtmlSecurity,
    HtmlSaveSettings,
    HtmlSignInReport,
    HtmlAccessReview,
    HtmlReviewDecision,
    HtmlResetSecondFactor,
    OpenStandIn,
    HtmlOpenStandIn,
    HtmlStandInPage,
    HtmlCloseOrderPage,
    ConfirmDeletion,
    HtmlConfirmDeletion,
    FollowUp,
    HtmlFollowUp,
    FollowUpStandIn,
    HtmlFollowUpStandIn,
    HtmlPasswordPage,
    HtmlChangePassword,
    HtmlRequirePasswordReset,
}

const ENDPOINTS: [Endpoint; 69] = [
    Endpoint::CitizenView,
    Endpoint::CitizenSearch,
    Endpoint::OrderInForce,
    Endpoint::OrderExpiredDpa,
    Endpoint::OrderList,
    Endpoint::OrderPreview,
    Endpoint::PlaceOrder,
    Endpoint::DiscloseAddress,
    Endpoint::Ledger,
    Endpoint::AccessLog,
    Endpoint::CreateSupplier,
    Endpoint::HtmlCitizen,
    Endpoint::HtmlCaseworkerOrder,
    Endpoint::HtmlSupplierOrder,
    Endpoint::HtmlSupplierExpiredOrder,
    Endpoint::HtmlLedger,
    Endpoint::HtmlAdmin,
    Endpoint::Me,
    Endpoint::Organisations,
    Endpoint::Purposes,
    Endpoint::ServiceTypes,
    Endpoint::Dpas,
    Endpoint::CreateUser,
    Endpoint::CreatePurpose,
    Endpoint::CreateServiceType,
    Endpoint::CreateDpa,
    Endpoint::CloseOrder,
    Endpoint::HtmlCitizens,
    Endpoint::HtmlSupplierOrders,
    Endpoint::HtmlAccessLog,
    Endpoint::HtmlPreview,
    Endpoint::HtmlDisclose,
    Endpoint::HtmlCreateOrganisation,
    Endpoint::Thread,
    Endpoint::SendMessage,
    Endpoint::RequestData,
    Endpoint::OpenRequests,
    Endpoint::DecideRequest,
    Endpoint::HtmlCaseworkerMessage,
    Endpoint::HtmlSupplierMessage,
    Endpoint::HtmlSupplierRequest,
    Endpoint::GeneralThreads,
    Endpoint::GeneralThreadWithSupplier,
    Endpoint::GeneralThreadWithMunicipality,
    Endpoint::SendGeneralMessage,
    Endpoint::GeneralAttachment,
    Endpoint::HtmlGeneralThread,
    Endpoint::HtmlGeneralMessage,
    Endpoint::ExportAccessLog,
    Endpoint::HtmlExportAccessLog,
    Endpoint::HtmlSecurity,
    Endpoint::HtmlSaveSettings,
    Endpoint::HtmlSignInReport,
    Endpoint::HtmlAccessReview,
    Endpoint::HtmlReviewDecision,
    Endpoint::HtmlResetSecondFactor,
    Endpoint::OpenStandIn,
    Endpoint::HtmlOpenStandIn,
    Endpoint::HtmlStandInPage,
    Endpoint::HtmlCloseOrderPage,
    Endpoint::ConfirmDeletion,
    Endpoint::HtmlConfirmDeletion,
    Endpoint::FollowUp,
    Endpoint::HtmlFollowUp,
    Endpoint::FollowUpStandIn,
    Endpoint::HtmlFollowUpStandIn,
    Endpoint::HtmlPasswordPage,
    Endpoint::HtmlChangePassword,
    Endpoint::HtmlRequirePasswordReset,
];

/// The fields the Mentorhuset order discloses: the MENTOR policy's automatic fields, plus
/// health by a manual decision.
const DISCLOSED: [FieldKey; 5] = [
    FieldKey::Name,
    FieldKey::TargetGroup,
    FieldKey::JobGoal,
    FieldKey::LanguageSkills,
    FieldKey::Health,
];

/// The specification: who sees what through which endpoint.
fn expected(who: Who, ep: Endpoint) -> Expect {
    use Endpoint::*;
    use Who::*;
    let all: Vec<FieldKey> = FieldKey::ALL
        .iter()
        .copied()
        .filter(|f| *f != FieldKey::Substance)
        .collect();
    match (ep, who) {
        // The order's own unit, and a colleague elsewhere holding a stand-in access on it
        // (which opens the citizen's record too). Another unit without one: not found.
        (CitizenView | HtmlCitizen, Caseworker | StandInCaseworker) => sees(&all),
        (CitizenSearch, Caseworker | OtherUnitCaseworker | StandInCaseworker) => sees(&[]),
        (OrderInForce | HtmlCaseworkerOrder | Thread, Caseworker | StandInCaseworker) => {
            sees(&[FieldKey::Name])
        }
        (OrderExpiredDpa, Caseworker) => sees(&[FieldKey::Name]),
        (OrderInForce | HtmlSupplierOrder, Supplier) => sees(&DISCLOSED),
        (
            OrderList,
            Caseworker
            | OtherUnitCaseworker
            | StandInCaseworker
            | OtherMunicipalityCaseworker
            | Supplier
            | OtherSupplier
            | ExpiredSupplier,
        ) => sees(&[]),
        (OrderPreview | PlaceOrder | HtmlPreview, Caseworker | StandInCaseworker) => sees(&[]),
        (DiscloseAddress, Caseworker) => sees(&[]),
        (Ledger | AccessLog | HtmlLedger, Dpo | Auditor) => sees(&[]),
        (
            CreateSupplier
            | HtmlAdmin
            | CreateUser
            | CreatePurpose
            | CreateServiceType
            | CreateDpa
            | HtmlCreateOrganisation,
            Admin,
        ) => sees(&[]),
        (Me, _) => sees(&[]),
        (
            Organisations | Purposes | ServiceTypes | Dpas,
            Admin
            | Caseworker
            | OtherUnitCaseworker
            | StandInCaseworker
            | OtherMunicipalityCaseworker
            | Dpo
            | Auditor,
        ) => sees(&[]),
        (CloseOrder | HtmlDisclose, Caseworker) => sees(&[]),
        (
            HtmlCitizens,
            Caseworker | OtherUnitCaseworker | StandInCaseworker | OtherMunicipalityCaseworker,
        ) => sees(&[]),
        (HtmlSupplierOrders, Supplier | OtherSupplier | ExpiredSupplier) => sees(&[]),
        (HtmlAccessLog, Dpo | Auditor) => sees(&[]),
        // The thread holds a message that names the citizen (a disclosed field).
        (Thread, Supplier) => sees(&[FieldKey::Name]),
        (SendMessage, Caseworker | StandInCaseworker | Supplier) => sees(&[]),
        (RequestData | HtmlSupplierMessage | HtmlSupplierRequest, Supplier) => sees(&[]),
        (
            OpenRequests,
            Caseworker | OtherUnitCaseworker | StandInCaseworker | OtherMunicipalityCaseworker,
        ) => sees(&[]),
        (DecideRequest, Caseworker) => sees(&[]),
        (HtmlCaseworkerMessage | HtmlCloseOrderPage, Caseworker | StandInCaseworker) => sees(&[]),
        // General threads carry no citizen data; a supplier's is with the municipality.
        (GeneralThreads, _) => sees(&[]),
        (
            GeneralThreadWithSupplier | SendGeneralMessage | HtmlGeneralThread | GeneralAttachment,
            Caseworker | OtherUnitCaseworker | StandInCaseworker,
        ) => sees(&[]),
        (GeneralThreadWithMunicipality | HtmlGeneralMessage, Supplier | OtherSupplier) => sees(&[]),
        (GeneralAttachment, Supplier) => sees(&[]),
        // Exports carry IDs and keyed hashes, never a citizen's values.
        (ExportAccessLog | HtmlExportAccessLog, Dpo | Auditor) => sees(&[]),
        // Sign-in security: the administrator's; the report also the overseers'.
        (
            HtmlSecurity
            | HtmlSaveSettings
            | HtmlAccessReview
            | HtmlReviewDecision
            | HtmlResetSecondFactor,
            Admin,
        ) => sees(&[]),
        (HtmlSignInReport, Admin | Dpo | Auditor) => sees(&[]),
        // Stepping in on another unit's order: any caseworker of the municipality outside
        // that unit (the unit's own get a conflict, other municipalities not found). The
        // form itself holds nothing and is shown to every caseworker.
        (OpenStandIn | HtmlOpenStandIn, OtherUnitCaseworker | StandInCaseworker) => sees(&[]),
        (
            HtmlStandInPage,
            Caseworker | OtherUnitCaseworker | StandInCaseworker | OtherMunicipalityCaseworker,
        ) => sees(&[]),
        // A closed order's supplier confirms deletion.
        (ConfirmDeletion | HtmlConfirmDeletion, Supplier) => sees(&[]),
        // The privacy officer follows up; the auditor may look.
        (FollowUp | HtmlFollowUp, Dpo | Auditor) => sees(&[]),
        (FollowUpStandIn | HtmlFollowUpStandIn, Dpo) => sees(&[]),
        // Everyone changes their own password; only the administrator requires a new one.
        (HtmlPasswordPage | HtmlChangePassword, _) => sees(&[]),
        (HtmlRequirePasswordReset, Admin) => sees(&[]),
        _ => Expect::Denied,
    }
}

async fn authorisation_matrix_finds_no_leak(backend: Backend) {
    let w = World::new(backend, 12).await;
    let store = w.app.store().clone();
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[11].clone();
    w.search(&cw, &citizen).await;

    // An order with the expired supplier, placed while its DPA was still in force.
    w.clock.set(common::NOW.plus_seconds(-100 * 86_400));
    let expired_order = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("OPKVAL"),
                supplier_id: w.org("Kompetencecentret Øst ApS"),
            },
        )
        .await
        .expect("order while the DPA was in force");
    w.clock.set(common::NOW);
    let order = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("MENTOR"),
                supplier_id: w.org("Mentorhuset ApS"),
            },
        )
        .await
        .expect("order");
    w.app
        .disclose(
            &cw,
            order,
            "health",
            "Mentoren skal kende skånehensyn i forløbet",
        )
        .await
        .expect("disclose");
    // Writes in the matrix go to an order of their own, so they cannot change what the
    // reads of `order` should show.
    let scratch = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("JOBSOG"),
                supplier_id: w.org("Praktikpartner A/S"),
            },
        )
        .await
        .expect("scratch order");
    let closable = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("DANSK"),
                supplier_id: w.org("Mentorhuset ApS"),
            },
        )
        .await
        .expect("order to close");
    let purpose_id = w.app.purposes(&cw).await.expect("purposes")[0].id;
    w.app
        .send_message(
            &cw,
            order,
            &format!("{} møder mandag kl. 9.", citizen.name),
            None,
        )
        .await
        .expect("message naming the citizen");
    let praktik = w.actor("praktikpartner").await;
    let request = w
        .app
        .request_data(
            &praktik,
            scratch,
            &["address".into()],
            "Praktikværten skal sende materiale",
        )
        .await
        .expect("request to decide");

    let mentorhuset = w.org("Mentorhuset ApS");
    let municipality = cw.controller_id;
    w.app
        .send_general_message(
            &w.actor("mentorhuset").await,
            municipality,
            "Vores kapacitet i december er vedhæftet.",
            &[skjold_app::messages::Upload {
                filename: "kapacitet.pdf".into(),
                bytes: b"%PDF-1.7\n% kapacitet\n".to_vec(),
            }],
            None,
        )
        .await
        .expect("general message");
    let general_file = w
        .app
        .general_thread(&cw, mentorhuset)
        .await
        .expect("general thread")
        .messages[0]
        .attachments[0]
        .id;

    // A second municipality with its own caseworker.
    let other = store
        .create_organisation(
            OrgKind::Municipality,
            None,
            "Aarhus Kommune (test)",
            None,
            common::NOW,
        )
        .await
        .expect("org");
    w.app
        .add_user(
            None,
            other.id,
            "aarhus.sb",
            "Aarhus Sagsbehandler",
            Role::Caseworker,
            "en lang nok adgangskode",
        )
        .await
        .expect("user");

    // Need-to-know: a third unit's caseworker holds a stand-in access on the order (and
    // one on another order, for the privacy officer's follow-up); Syd has none.
    let vest = store
        .create_organisation(
            OrgKind::Unit,
            Some(cw.controller_id),
            "Jobcenter København Vest",
            None,
            common::NOW,
        )
        .await
        .expect("unit");
    let extra_password = "en lang nok adgangskode";
    w.app
        .add_user(
            None,
            vest.id,
            "vest.sb",
            "Vest Sagsbehandler",
            Role::Caseworker,
            extra_password,
        )
        .await
        .expect("user");
    let vest_cw = w.actor("vest.sb").await;
    let stand_in_order = w
        .app
        .open_stand_in(&vest_cw, order, "Kollegaen i Nord er syg")
        .await
        .expect("stand-in")
        .id;
    let target_citizen = w.demo.citizens[10].clone();
    w.search(&cw, &target_citizen).await;
    let stand_in_target = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: target_citizen.id,
                service_type_id: w.service("JOBSOG"),
                supplier_id: w.org("Praktikpartner A/S"),
            },
        )
        .await
        .expect("order to step in on");
    let stand_in_other = w
        .app
        .open_stand_in(&vest_cw, stand_in_target, "Borgeren ringede til Vest")
        .await
        .expect("stand-in")
        .id;
    // Two closed orders whose supplier confirms deletion, by API and by form.
    let mut closed = Vec::new();
    for i in [7, 8] {
        let c = w.demo.citizens[i].clone();
        w.search(&cw, &c).await;
        let o = w
            .app
            .place_order(
                &cw,
                NewOrder {
                    subject_id: c.id,
                    service_type_id: w.service("MENTOR"),
                    supplier_id: w.org("Mentorhuset ApS"),
                },
            )
            .await
            .expect("order to close");
        w.app.close_order(&cw, o).await.expect("closed");
        closed.push(o);
    }
    let searched = w.demo.citizens[9].cpr.formatted();

    // Sign-in security forms act on a user outside the matrix, so no caller loses a session.
    w.app
        .add_user(
            None,
            w.org("Jobcenter København Syd"),
            "syd.ekstra",
            "Syd Ekstra",
            Role::Caseworker,
            extra_password,
        )
        .await
        .expect("user");
    let second_caseworker = w.actor("syd.ekstra").await;
    let users = [
        (Who::Admin, "admin"),
        (Who::Caseworker, "sagsbehandler"),
        (Who::OtherUnitCaseworker, "sagsbehandler2"),
        (Who::StandInCaseworker, "vest.sb"),
        (Who::OtherMunicipalityCaseworker, "aarhus.sb"),
        (Who::Supplier, "mentorhuset"),
        (Who::OtherSupplier, "praktikpartner"),
        (Who::ExpiredSupplier, "kompetencecentret"),
        (Who::Dpo, "dpo"),
        (Who::Auditor, "revisor"),
    ];
    assert_eq!(
        users.map(|u| u.0),
        EVERYONE,
        "every kind of caller is in the matrix"
    );
    let view = w.app.citizen(&cw, citizen.id).await.expect("view");
    let values: Vec<(FieldKey, String)> = view
        .data
        .iter()
        .map(|d| (d.field, d.value.clone()))
        .collect();
    let router = router(&w);
    let mut checked = 0;
    for (who, username) in users {
        let token = w
            .app
            .create_api_token(username, "matrix")
            .await
            .expect("token");
        let password_of = |username: &str| {
            if ["aarhus.sb", "vest.sb"].contains(&username) {
                "en lang nok adgangskode"
            } else {
                skjold_app::demo::DEMO_PASSWORD
            }
        };
        let (cookie, csrf) = {
            let s = w.sign_in(username, password_of(username)).await;
            (format!("skjold_session={}", s.token), s.csrf)
        };
        let form = "application/x-www-form-urlencoded";
        let multipart_ct = "multipart/form-data; boundary=skjoldgraense";
        for ep in ENDPOINTS {
            let json = "application/json";
            let order_body = json!({ "subject_id": citizen.id, "service_type_id": w.service("MENTOR"), "supplier_id": w.org("Mentorhuset ApS") }).to_string();
            let (method, path, body, html): (Method, String, Option<(&str, String)>, bool) = match ep {
                Endpoint::CitizenView => (Method::GET, format!("/api/v1/citizens/{}", citizen.id), None, false),
                // Another citizen: a search opens the record it finds, and the matrix's
                // citizen stays closed to those with no other way in.
                Endpoint::CitizenSearch => (Method::POST, "/api/v1/citizens/search".into(), Some((json, json!({ "cpr": searched }).to_string())), false),
                Endpoint::OrderInForce => (Method::GET, format!("/api/v1/orders/{order}"), None, false),
                Endpoint::OrderExpiredDpa => (Method::GET, format!("/api/v1/orders/{expired_order}"), None, false),
                Endpoint::OrderList => (Method::GET, "/api/v1/orders".into(), None, false),
                Endpoint::OrderPreview => (Method::POST, "/api/v1/orders/preview".into(), Some((json, order_body)), false),
                Endpoint::PlaceOrder => (Method::POST, "/api/v1/orders".into(), Some((json, order_body)), false),
                Endpoint::DiscloseAddress => (
                    Method::POST,
                    format!("/api/v1/orders/{scratch}/disclosures"),
                    Some((json, json!({ "field": "address", "justification": format!("Mentoren skal besøge borgeren ({username})") }).to_string())),
                    false,
                ),
                Endpoint::Ledger => (Method::POST, "/api/v1/ledger/query".into(), Some((json, "{}".into())), false),
                Endpoint::AccessLog => (Method::POST, "/api/v1/access-log/query".into(), Some((json, "{}".into())), false),
                Endpoint::CreateSupplier => (
                    Method::POST,
                    "/api/v1/organisations".into(),
                    Some((json, json!({ "kind": "supplier", "name": format!("Ny leverandør {username}"), "cvr": "29403473" }).to_string())),
                    false,
                ),
                Endpoint::HtmlCitizen => (Method::GET, format!("/borgere/{}", citizen.id), None, true),
                Endpoint::HtmlCaseworkerOrder => (Method::GET, format!("/bestillinger/{order}"), None, true),
                Endpoint::HtmlSupplierOrder => (Method::GET, format!("/leverandoer/bestillinger/{order}"), None, true),
                Endpoint::HtmlSupplierExpiredOrder => (Method::GET, format!("/leverandoer/bestillinger/{expired_order}"), None, true),
                Endpoint::HtmlLedger => (Method::GET, "/tilsyn/videregivelser".into(), None, true),
                Endpoint::HtmlAdmin => (Method::GET, "/admin".into(), None, true),
                Endpoint::Me => (Method::GET, "/api/v1/me".into(), None, false),
                Endpoint::Organisations => (Method::GET, "/api/v1/organisations".into(), None, false),
                Endpoint::Purposes => (Method::GET, "/api/v1/purposes".into(), None, false),
                Endpoint::ServiceTypes => (Method::GET, "/api/v1/service-types".into(), None, false),
                Endpoint::Dpas => (Method::GET, "/api/v1/dpas".into(), None, false),
                Endpoint::CreateUser => (
                    Method::POST,
                    "/api/v1/users".into(),
                    Some((json, json!({ "organisation_id": w.org("Jobcenter København Nord"), "username": format!("ny.{username}"), "display_name": "Ny Bruger", "role": "caseworker", "password": "en lang nok adgangskode" }).to_string())),
                    false,
                ),
                Endpoint::CreatePurpose => (
                    Method::POST,
                    "/api/v1/purposes".into(),
                    Some((json, json!({ "name": format!("Formål {username}"), "art6": "6.1.e", "national_law": "LAB § 1" }).to_string())),
                    false,
                ),
                Endpoint::CreateServiceType => (
                    Method::POST,
                    "/api/v1/service-types".into(),
                    Some((json, json!({ "code": format!("T-{username}"), "name": "Test", "purpose_id": purpose_id, "policy": { "name": "automatic" } }).to_string())),
                    false,
                ),
                Endpoint::CreateDpa => (
                    Method::POST,
                    "/api/v1/dpas".into(),
                    Some((json, json!({ "processor_id": w.org("Praktikpartner A/S"), "reference": format!("DBA-{username}"), "starts_on": "2026-01-01" }).to_string())),
                    false,
                ),
                Endpoint::CloseOrder => (Method::POST, format!("/api/v1/orders/{closable}/close"), None, false),
                Endpoint::HtmlCitizens => (Method::GET, "/borgere".into(), None, true),
                Endpoint::HtmlSupplierOrders => (Method::GET, "/leverandoer".into(), None, true),
                Endpoint::HtmlAccessLog => (Method::GET, "/tilsyn/adgangslog".into(), None, true),
                Endpoint::HtmlPreview => (
                    Method::GET,
                    format!("/borgere/{}/bestil?service={}&supplier={}", citizen.id, w.service("MENTOR"), w.org("Mentorhuset ApS")),
                    None,
                    true,
                ),
                Endpoint::HtmlDisclose => (
                    Method::POST,
                    format!("/bestillinger/{scratch}/videregiv"),
                    Some((form, format!("csrf={csrf}&field=phone&justification=Praktikv%C3%A6rten+skal+ringe+til+borgeren"))),
                    true,
                ),
                Endpoint::Thread => (Method::GET, format!("/api/v1/orders/{order}/thread"), None, false),
                Endpoint::SendMessage => (
                    Method::POST,
                    format!("/api/v1/orders/{order}/messages"),
                    Some((json, json!({ "body": format!("Hej fra {username}") }).to_string())),
                    false,
                ),
                Endpoint::RequestData => (
                    Method::POST,
                    format!("/api/v1/orders/{order}/data-requests"),
                    Some((json, json!({ "fields": ["address"], "reason": format!("Hjemmebesøg ({username})") }).to_string())),
                    false,
                ),
                Endpoint::OpenRequests => (Method::GET, "/api/v1/data-requests".into(), None, false),
                Endpoint::DecideRequest => (
                    Method::POST,
                    format!("/api/v1/data-requests/{request}/decision"),
                    Some((json, json!({ "approve": false, "reason": "Ikke nødvendigt for praktikken" }).to_string())),
                    false,
                ),
                Endpoint::HtmlCaseworkerMessage => (
                    Method::POST,
                    format!("/bestillinger/{order}/besked"),
                    Some((multipart_ct, multipart("skjoldgraense", &[("csrf", &csrf), ("body", &format!("Hej fra {username}"))], None))),
                    true,
                ),
                Endpoint::HtmlSupplierMessage => (
                    Method::POST,
                    format!("/leverandoer/bestillinger/{order}/besked"),
                    Some((multipart_ct, multipart("skjoldgraense", &[("csrf", &csrf), ("body", &format!("Hej fra {username}"))], None))),
                    true,
                ),
                Endpoint::HtmlSupplierRequest => (
                    Method::POST,
                    format!("/leverandoer/bestillinger/{order}/anmodning"),
                    Some((form, format!("csrf={csrf}&field.phone=on&reason=Mentoren+skal+kunne+ringe+({username})"))),
                    true,
                ),
                Endpoint::GeneralThreads => (Method::GET, "/api/v1/general-threads".into(), None, false),
                Endpoint::GeneralThreadWithSupplier => (Method::GET, format!("/api/v1/general-threads/{mentorhuset}"), None, false),
                Endpoint::GeneralThreadWithMunicipality => (Method::GET, format!("/api/v1/general-threads/{municipality}"), None, false),
                Endpoint::SendGeneralMessage => (
                    Method::POST,
                    format!("/api/v1/general-threads/{mentorhuset}/messages"),
                    Some((json, json!({ "body": format!("Hej fra {username}") }).to_string())),
                    false,
                ),
                Endpoint::GeneralAttachment => (Method::GET, format!("/api/v1/general-attachments/{general_file}"), None, false),
                Endpoint::HtmlGeneralThread => (Method::GET, format!("/beskeder/{mentorhuset}"), None, true),
                Endpoint::HtmlGeneralMessage => (
                    Method::POST,
                    format!("/beskeder/{municipality}"),
                    Some((multipart_ct, multipart("skjoldgraense", &[("csrf", &csrf), ("body", &format!("Hej fra {username}"))], None))),
                    true,
                ),
                Endpoint::ExportAccessLog => (
                    Method::POST,
                    "/api/v1/access-log/export".into(),
                    Some((json, json!({ "format": "csv" }).to_string())),
                    false,
                ),
                Endpoint::HtmlExportAccessLog => (
                    Method::POST,
                    "/tilsyn/adgangslog/eksport".into(),
                    Some((form, format!("csrf={csrf}&export=jsonl"))),
                    true,
                ),
                Endpoint::HtmlSecurity => (Method::GET, "/admin/sikkerhed".into(), None, true),
                Endpoint::HtmlSaveSettings => (
                    Method::POST,
                    "/admin/sikkerhed".into(),
                    Some((form, format!("csrf={csrf}&lockout_threshold=5&lockout_window_hours=24&block_minutes=30&totp_roles=privacy_officer&totp_roles=administrator"))),
                    true,
                ),
                Endpoint::HtmlSignInReport => (Method::GET, "/tilsyn/log-ind".into(), None, true),
                Endpoint::HtmlAccessReview => (Method::GET, "/admin/gennemgang".into(), None, true),
                Endpoint::HtmlReviewDecision => (
                    Method::POST,
                    format!("/admin/gennemgang/{}", second_caseworker.user_id),
                    Some((form, format!("csrf={csrf}&decision=confirm&note=fortsat"))),
                    true,
                ),
                Endpoint::HtmlResetSecondFactor => (
                    Method::POST,
                    format!("/admin/sikkerhed/engangskode/{}", second_caseworker.user_id),
                    Some((form, format!("csrf={csrf}"))),
                    true,
                ),
                Endpoint::OpenStandIn => (
                    Method::POST,
                    format!("/api/v1/orders/{stand_in_target}/stand-in"),
                    Some((json, json!({ "reason": format!("Kollegaen er syg ({username})") }).to_string())),
                    false,
                ),
                Endpoint::HtmlOpenStandIn => (
                    Method::POST,
                    format!("/bestillinger/{stand_in_target}/stedfortraeder"),
                    Some((form, format!("csrf={csrf}&reason=Kollegaen+er+syg+({username})"))),
                    true,
                ),
                Endpoint::HtmlStandInPage => (Method::GET, format!("/bestillinger/{stand_in_target}/stedfortraeder"), None, true),
                Endpoint::HtmlCloseOrderPage => (Method::GET, format!("/bestillinger/{order}/afslut"), None, true),
                Endpoint::ConfirmDeletion => (Method::POST, format!("/api/v1/orders/{}/deletion-confirmation", closed[0]), None, false),
                Endpoint::HtmlConfirmDeletion => (
                    Method::POST,
                    format!("/leverandoer/bestillinger/{}/sletning", closed[1]),
                    Some((form, format!("csrf={csrf}&deleted=yes"))),
                    true,
                ),
                Endpoint::FollowUp => (Method::GET, "/api/v1/follow-up".into(), None, false),
                Endpoint::HtmlFollowUp => (Method::GET, "/tilsyn".into(), None, true),
                Endpoint::FollowUpStandIn => (
                    Method::POST,
                    format!("/api/v1/stand-ins/{stand_in_order}/follow-up"),
                    Some((json, json!({ "note": format!("Set af {username}") }).to_string())),
                    false,
                ),
                Endpoint::HtmlFollowUpStandIn => (
                    Method::POST,
                    format!("/tilsyn/stedfortraeder/{stand_in_other}"),
                    Some((form, format!("csrf={csrf}&note=Set+af+{username}"))),
                    true,
                ),
                Endpoint::HtmlPasswordPage => (Method::GET, "/konto/adgangskode".into(), None, true),
                // The caller's own password, changed for good; this session goes on.
                Endpoint::HtmlChangePassword => (
                    Method::POST,
                    "/konto/adgangskode".into(),
                    Some((form, format!("csrf={csrf}&current_password={}&new_password=matrix-{username}-ny-kode&repeat_password=matrix-{username}-ny-kode", password_of(username)))),
                    true,
                ),
                Endpoint::HtmlRequirePasswordReset => (
                    Method::POST,
                    format!("/admin/sikkerhed/adgangskode/{}", second_caseworker.user_id),
                    Some((form, format!("csrf={csrf}"))),
                    true,
                ),
                Endpoint::HtmlCreateOrganisation => (
                    Method::POST,
                    "/admin/organisationer".into(),
                    Some((form, format!("csrf={csrf}&kind=unit&name=Enhed+{username}&cvr="))),
                    true,
                ),
            };
            let reply = if html {
                call(&router, method, &path, None, Some(&cookie), body).await
            } else {
                call(&router, method, &path, Some(&token), None, body).await
            };
            let expect = expected(who, ep);
            let context = format!(
                "{who:?} {ep:?} → {} {}",
                reply.status,
                &reply.body[..reply.body.len().min(300)]
            );
            match &expect {
                Expect::Denied => {
                    assert!(
                        reply.status.is_client_error(),
                        "should be refused: {context}"
                    );
                    assert!(
                        reply.status != StatusCode::UNAUTHORIZED,
                        "authenticated caller got 401: {context}"
                    );
                }
                // A form that succeeds answers with a redirect.
                Expect::Sees(_) => assert!(
                    reply.status.is_success() || reply.status == StatusCode::SEE_OTHER,
                    "should be allowed: {context}"
                ),
            }
            let visible = match &expect {
                Expect::Sees(f) => f.clone(),
                Expect::Denied => BTreeSet::new(),
            };
            for (field, value) in &values {
                // Short values ("Kok") could appear by coincidence; the distinctive ones decide.
                if value.chars().count() < 8 {
                    continue;
                }
                let shown =
                    reply.body.contains(value.as_str()) || reply.body.contains(&html_escape(value));
                if visible.contains(field) {
                    assert!(shown, "{field} should be visible: {context}");
                } else {
                    assert!(!shown, "LEAK of {field}: {context}");
                }
            }
            if !visible.contains(&FieldKey::Cpr) {
                assert!(
                    !reply.body.contains(&citizen.cpr.digits()),
                    "LEAK of the CPR digits: {context}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, EVERYONE.len() * ENDPOINTS.len());
    assert_eq!(checked, 690);
    w.done().await;
}

async fn csrf_and_sign_in(backend: Backend) {
    let w = World::new(backend, 4).await;
    let router = router(&w);
    let dpo = w.actor("dpo").await;

    // Sign-in: the form carries a double-submit token.
    let page = call(&router, Method::GET, "/login", None, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let set_cookie = page
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Strict")
            && set_cookie.contains("Secure")
    );
    let login_token = set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_start_matches("skjold_login=")
        .to_owned();
    let login = |user: &str, pass: &str, token: &str| {
        format!("username={user}&password={pass}&login_csrf={token}")
    };
    let cookie = format!("skjold_login={login_token}");
    let form = "application/x-www-form-urlencoded";

    let wrong = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((form, login("sagsbehandler", "forkert", &login_token))),
    )
    .await;
    let unknown = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((form, login("ingen.bruger", "forkert", &login_token))),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.body.contains("Forkert brugernavn eller adgangskode")
            && unknown
                .body
                .contains("Forkert brugernavn eller adgangskode")
    );
    let forged = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((
            form,
            login(
                "sagsbehandler",
                skjold_app::demo::DEMO_PASSWORD,
                "forfalsket",
            ),
        )),
    )
    .await;
    assert!(forged.body.contains("udløbet") && forged.headers.get(header::LOCATION).is_none());
    let ok = call(
        &router,
        Method::POST,
        "/login",
        None,
        Some(&cookie),
        Some((
            form,
            login(
                "sagsbehandler",
                skjold_app::demo::DEMO_PASSWORD,
                &login_token,
            ),
        )),
    )
    .await;
    // The password leads on to the second factor, with a waiting cookie and no session.
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ok.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login/engangskode")
    );
    let set_cookie = |r: &Reply, name: &str| {
        r.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    };
    assert!(set_cookie(&ok, "skjold_session").is_none());
    let pending = set_cookie(&ok, "skjold_pending").expect("pending cookie");
    assert!(pending.contains("HttpOnly") && pending.contains("SameSite=Strict"));
    let pending = pending.split(';').next().unwrap_or_default().to_owned();
    let page = call(
        &router,
        Method::GET,
        "/login/engangskode",
        None,
        Some(&pending),
        None,
    )
    .await;
    let field_csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf in the code page")
        .to_owned();
    let forged_code = call(
        &router,
        Method::POST,
        "/login/engangskode",
        None,
        Some(&pending),
        Some((
            form,
            format!(
                "csrf=forfalsket&code={}",
                w.current_code("sagsbehandler").await
            ),
        )),
    )
    .await;
    assert!(
        forged_code.body.contains("udløbet")
            && set_cookie(&forged_code, "skjold_session").is_none()
    );
    let coded = call(
        &router,
        Method::POST,
        "/login/engangskode",
        None,
        Some(&pending),
        Some((
            form,
            format!(
                "csrf={field_csrf}&code={}",
                w.current_code("sagsbehandler").await
            ),
        )),
    )
    .await;
    assert_eq!(coded.status, StatusCode::SEE_OTHER, "{}", coded.body);
    let session = set_cookie(&coded, "skjold_session").expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    let session = session.split(';').next().unwrap_or_default().to_owned();

    // Every form needs the session's CSRF token; a forged one changes nothing.
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    let before = w
        .app
        .ledger(&dpo, &Default::default())
        .await
        .expect("ledger")
        .len();
    let orders_before = w.app.unit_orders(&cw).await.expect("orders").len();
    let body = format!(
        "csrf=forfalsket&subject_id={}&service_type_id={}&supplier_id={}",
        citizen.id,
        w.service("MENTOR"),
        w.org("Mentorhuset ApS")
    );
    let forged = call(
        &router,
        Method::POST,
        "/bestillinger",
        None,
        Some(&session),
        Some((form, body.clone())),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("sikkerhedsnøglen"));
    let missing = call(
        &router,
        Method::POST,
        "/bestillinger",
        None,
        Some(&session),
        Some((form, body.replace("csrf=forfalsket&", ""))),
    )
    .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.app.unit_orders(&cw).await.expect("orders").len(),
        orders_before
    );
    assert_eq!(
        w.app
            .ledger(&dpo, &Default::default())
            .await
            .expect("ledger")
            .len(),
        before
    );

    // With the real token the same form places the order.
    let page = call(&router, Method::GET, "/borgere", None, Some(&session), None).await;
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf in page")
        .to_owned();
    let real = call(
        &router,
        Method::POST,
        "/bestillinger",
        None,
        Some(&session),
        Some((form, body.replace("forfalsket", &csrf))),
    )
    .await;
    assert_eq!(real.status, StatusCode::SEE_OTHER, "{}", real.body);
    assert_eq!(
        w.app.unit_orders(&cw).await.expect("orders").len(),
        orders_before + 1
    );

    // A bad CPR number is explained on the search page, in Danish.
    let bad = call(
        &router,
        Method::POST,
        "/borgere/soeg",
        None,
        Some(&session),
        Some((form, format!("csrf={csrf}&cpr=311390-1234"))),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("CPR-nummeret indeholder ikke en gyldig fødselsdato")
    );

    // Without a session, pages send you to sign in; the session ends at logout.
    let anon = call(&router, Method::GET, "/borgere", None, None, None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anon.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login")
    );
    let out = call(
        &router,
        Method::POST,
        "/logout",
        None,
        Some(&session),
        Some((form, format!("csrf={csrf}"))),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = call(&router, Method::GET, "/borgere", None, Some(&session), None).await;
    assert_eq!(
        after
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login")
    );
    w.done().await;
}

async fn api_contract(backend: Backend) {
    let w = World::new(backend, 4).await;
    let router = router(&w);
    let token = w
        .app
        .create_api_token("sagsbehandler", "test")
        .await
        .expect("token");
    let json = "application/json";

    let health = call(&router, Method::GET, "/healthz", None, None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    let doc = call(
        &router,
        Method::GET,
        "/api/v1/openapi.json",
        None,
        None,
        None,
    )
    .await;
    let doc: Value = serde_json::from_str(&doc.body).expect("openapi is JSON");
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}/disclosures",
        "/api/v1/citizens/search",
        "/api/v1/ledger/query",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }

    let no_token = call(&router, Method::GET, "/api/v1/me", None, None, None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    let bad_token = call(
        &router,
        Method::GET,
        "/api/v1/me",
        Some("skj_forkert"),
        None,
        None,
    )
    .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    let err: Value = serde_json::from_str(&bad_token.body).expect("json error");
    assert_eq!(err["error"]["code"], "unauthenticated");

    let me = call(&router, Method::GET, "/api/v1/me", Some(&token), None, None).await;
    let me: Value = serde_json::from_str(&me.body).expect("me");
    assert_eq!(me["username"], "sagsbehandler");
    assert_eq!(me["organisation_name"], "Jobcenter København Nord");

    for (body, status, code) in [
        (
            json!({ "cpr": "12" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_format",
        ),
        (
            json!({ "cpr": "320190-1234" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cpr_impossible_date",
        ),
        (
            json!({ "cpr": "010190-1234" }),
            StatusCode::NOT_FOUND,
            "citizen_not_found",
        ),
        (
            json!({ "nope": 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request_body",
        ),
    ] {
        let r = call(
            &router,
            Method::POST,
            "/api/v1/citizens/search",
            Some(&token),
            None,
            Some((json, body.to_string())),
        )
        .await;
        assert_eq!(r.status, status, "{}", r.body);
        let e: Value = serde_json::from_str(&r.body).expect("json error");
        assert_eq!(e["error"]["code"], code);
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }

    // The whole story through the API.
    let citizen = w.demo.citizens[3].clone();
    let found = call(
        &router,
        Method::POST,
        "/api/v1/citizens/search",
        Some(&token),
        None,
        Some((json, json!({ "cpr": citizen.cpr.digits() }).to_string())),
    )
    .await;
    let found: Value = serde_json::from_str(&found.body).expect("found");
    assert_eq!(found["id"], citizen.id.to_string());
    let order = json!({ "subject_id": citizen.id, "service_type_id": w.service("PRAKTIK"), "supplier_id": w.org("Praktikpartner A/S") });
    let preview = call(
        &router,
        Method::POST,
        "/api/v1/orders/preview",
        Some(&token),
        None,
        Some((json, order.to_string())),
    )
    .await;
    let preview: Value = serde_json::from_str(&preview.body).expect("preview");
    assert_eq!(
        preview["plan"]["automatic"],
        json!(["name", "job_goal", "work_experience", "education"])
    );
    let placed = call(
        &router,
        Method::POST,
        "/api/v1/orders",
        Some(&token),
        None,
        Some((json, order.to_string())),
    )
    .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let id: Uuid = serde_json::from_str::<Value>(&placed.body)
        .ok()
        .and_then(|v| v["id"].as_str().and_then(|s| s.parse().ok()))
        .expect("order id");
    let never = call(
        &router,
        Method::POST,
        &format!("/api/v1/orders/{id}/disclosures"),
        Some(&token),
        None,
        Some((
            json,
            json!({ "field": "health", "justification": "Praktikværten skal vide det" })
                .to_string(),
        )),
    )
    .await;
    assert_eq!(never.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(never.body.contains("field_never_disclosed"));
    let ok = call(&router, Method::POST, &format!("/api/v1/orders/{id}/disclosures"), Some(&token), None, Some((json, json!({ "field": "cpr", "justification": "Praktikværten skal indberette til forsikring" }).to_string()))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    let supplier = w
        .app
        .create_api_token("praktikpartner", "test")
        .await
        .expect("token");
    let seen = call(
        &router,
        Method::GET,
        &format!("/api/v1/orders/{id}"),
        Some(&supplier),
        None,
        None,
    )
    .await;
    let seen: Value = serde_json::from_str(&seen.body).expect("supplier view");
    let fields: Vec<&str> = seen["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["name", "job_goal", "work_experience", "education", "cpr"]
    );
    w.done().await;
}

async fn attachments_over_http(backend: Backend) {
    let w = World::new(backend, 4).await;
    let router = router(&w);
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    w.search(&cw, &citizen).await;
    let order = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("MENTOR"),
                supplier_id: w.org("Mentorhuset ApS"),
            },
        )
        .await
        .expect("order");
    let s = w
        .sign_in("mentorhuset", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let cookie = format!("skjold_session={}", s.token);
    let boundary = "skjoldgraense";
    let ct = format!("multipart/form-data; boundary={boundary}");
    let path = format!("/leverandoer/bestillinger/{order}/besked");
    let pdf = b"%PDF-1.7\n% plan\n";

    // The CSRF token comes first and must match, before any file is read.
    let forged = multipart(
        boundary,
        &[("csrf", "forfalsket"), ("body", "Plan vedhæftet")],
        Some(("plan.pdf", pdf)),
    );
    let r = call(
        &router,
        Method::POST,
        &path,
        None,
        Some(&cookie),
        Some((&ct, forged)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A page disguised as a PDF is refused, with the reason on the page.
    let html = multipart(
        boundary,
        &[("csrf", &s.csrf), ("body", "Se her")],
        Some(("plan.pdf", b"<html><script>x</script></html>")),
    );
    let r = call(
        &router,
        Method::POST,
        &path,
        None,
        Some(&cookie),
        Some((&ct, html)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ikke kan sendes"), "{}", r.body);
    assert!(
        w.app
            .thread(&cw, order)
            .await
            .expect("thread")
            .messages
            .is_empty()
    );

    let ok = multipart(
        boundary,
        &[("csrf", &s.csrf), ("body", "Plan vedhæftet")],
        Some(("plan.pdf", pdf)),
    );
    let r = call(
        &router,
        Method::POST,
        &path,
        None,
        Some(&cookie),
        Some((&ct, ok)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let thread = w.app.thread(&cw, order).await.expect("thread");
    let attachment = thread.messages[0].attachments[0].clone();
    assert_eq!(attachment.content_type, "application/pdf");

    // Downloads are attachments with the sniffed type, never inline.
    let cw_session = w
        .sign_in("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let r = call(
        &router,
        Method::GET,
        &format!("/vedhaeftninger/{}", attachment.id),
        None,
        Some(&format!("skjold_session={}", cw_session.token)),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let header = |name: header::HeaderName| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header(header::CONTENT_DISPOSITION).starts_with("attachment;"),
        "{}",
        header(header::CONTENT_DISPOSITION)
    );
    assert_eq!(header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(r.body.as_bytes(), pdf);
    let token = w
        .app
        .create_api_token("praktikpartner", "test")
        .await
        .expect("token");
    let other = call(
        &router,
        Method::GET,
        &format!("/api/v1/attachments/{}", attachment.id),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    w.done().await;
}

async fn consent_and_reminder_forms(backend: Backend) {
    let w = World::new(backend, 4).await;
    let outbox = std::env::temp_dir().join(format!("skjold-web-outbox-{}.jsonl", Uuid::new_v4()));
    let app = w.app.clone().with_reminder_provider(std::sync::Arc::new(
        skjold_app::reminders::FileProvider::new(&outbox),
    ));
    let router = skjold_web::router(app, skjold_web::WebConfig::default());
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    w.search(&cw, &citizen).await;
    let order = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("MENTOR"),
                supplier_id: w.org("Mentorhuset ApS"),
            },
        )
        .await
        .expect("order");
    let s = w
        .sign_in("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let cookie = format!("skjold_session={}", s.token);
    let form = "application/x-www-form-urlencoded";
    let csrf = &s.csrf;
    let remind = format!(
        "csrf={csrf}&channel=sms&date=2026-12-01&time=10%3A00&place=Jobcentret%2C+lokale+2"
    );

    // Without consent the reminder is refused and nothing is sent.
    let r = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/paamindelse"),
        None,
        Some(&cookie),
        Some((form, remind.clone())),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("samtykke"));
    let short = format!("csrf={csrf}&channel=sms&notice_version=v1&evidence=kort");
    let r = call(
        &router,
        Method::POST,
        &format!("/borgere/{}/samtykke", citizen.id),
        None,
        Some(&cookie),
        Some((form, short)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let consent = format!(
        "csrf={csrf}&channel=sms&notice_version=sms-v1&evidence=Givet+mundtligt+ved+samtale+i+jobcentret"
    );
    let r = call(
        &router,
        Method::POST,
        &format!("/borgere/{}/samtykke", citizen.id),
        None,
        Some(&cookie),
        Some((form, consent)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = call(
        &router,
        Method::GET,
        &format!("/borgere/{}", citizen.id),
        None,
        Some(&cookie),
        None,
    )
    .await;
    assert!(page.body.contains("I kraft") && page.body.contains("sms-v1"));

    let r = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/paamindelse"),
        None,
        Some(&cookie),
        Some((form, remind.clone())),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sent = std::fs::read_to_string(&outbox).expect("outbox");
    assert_eq!(sent.lines().count(), 1);
    assert!(sent.contains(&citizen.phone) && sent.contains("01.12.2026 kl. 10:00"));

    // Withdrawn: the next reminder is refused.
    let r = call(
        &router,
        Method::POST,
        &format!("/borgere/{}/samtykke/sms/tilbagekald", citizen.id),
        None,
        Some(&cookie),
        Some((form, format!("csrf={csrf}"))),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = call(
        &router,
        Method::POST,
        &format!("/bestillinger/{order}/paamindelse"),
        None,
        Some(&cookie),
        Some((form, remind)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        std::fs::read_to_string(&outbox)
            .expect("outbox")
            .lines()
            .count(),
        1
    );
    let _ = std::fs::remove_file(&outbox);
    w.done().await;
}

//! The authorisation matrix: every route of the UI and the API, called by every kind of
//! caller, as a table of (route, who may use it and what of the citizen they see). Every
//! caller not named is refused (a 4xx other than 401), and no reply carries a value of the
//! citizen's that its caller may not see. Callers sign in for real: browsers through the
//! sign-in pages with their second factor, integrations with an API token.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::World;
use crate::common::actors::Caller;
use crate::common::http::{Reply, html_escape};
use skjold_core::{FieldKey, OrgKind, Role};
use skjold_store::Backend;

crate::on_both_backends!(authorisation_matrix_finds_no_leak);
crate::on_both_backends!(a_citizen_reaches_no_staff_route);

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

use Who::*;

/// Every kind of caller, with the user it signs in as.
const CALLERS: [(Who, &str); 10] = [
    (Admin, "admin"),
    (Caseworker, "sagsbehandler"),
    (OtherUnitCaseworker, "sagsbehandler2"),
    (StandInCaseworker, "vest.sb"),
    (OtherMunicipalityCaseworker, "aarhus.sb"),
    (Supplier, "mentorhuset"),
    (OtherSupplier, "praktikpartner"),
    (ExpiredSupplier, "kompetencecentret"),
    (Dpo, "dpo"),
    (Auditor, "revisor"),
];

const EVERYONE: &[Who] = &[
    Admin,
    Caseworker,
    OtherUnitCaseworker,
    StandInCaseworker,
    OtherMunicipalityCaseworker,
    Supplier,
    OtherSupplier,
    ExpiredSupplier,
    Dpo,
    Auditor,
];
const CASEWORKERS: &[Who] = &[
    Caseworker,
    OtherUnitCaseworker,
    StandInCaseworker,
    OtherMunicipalityCaseworker,
];
const SUPPLIERS: &[Who] = &[Supplier, OtherSupplier, ExpiredSupplier];
const OVERSIGHT: &[Who] = &[Dpo, Auditor];
/// The municipality's staff: everyone but the suppliers.
const MUNICIPAL: &[Who] = &[
    Admin,
    Caseworker,
    OtherUnitCaseworker,
    StandInCaseworker,
    OtherMunicipalityCaseworker,
    Dpo,
    Auditor,
];

/// Nothing of the citizen's.
const NOTHING: &[FieldKey] = &[];
/// The order's citizen's name (a caseworker's order page, a thread naming them).
const NAME: &[FieldKey] = &[FieldKey::Name];
/// The citizen's values a MENTOR order sends automatically: the preview shows them.
const PREVIEWED: &[FieldKey] = &[
    FieldKey::Name,
    FieldKey::TargetGroup,
    FieldKey::JobGoal,
    FieldKey::LanguageSkills,
];
/// The fields the Mentorhuset order discloses: the MENTOR policy's automatic fields, plus
/// health by a manual decision.
const DISCLOSED: &[FieldKey] = &[
    FieldKey::Name,
    FieldKey::TargetGroup,
    FieldKey::JobGoal,
    FieldKey::LanguageSkills,
    FieldKey::Health,
];
/// The whole record (the demo citizen holds no substance data).
const RECORD: &[FieldKey] = &[
    FieldKey::Name,
    FieldKey::Cpr,
    FieldKey::Address,
    FieldKey::Phone,
    FieldKey::Email,
    FieldKey::TargetGroup,
    FieldKey::Benefit,
    FieldKey::JobGoal,
    FieldKey::WorkExperience,
    FieldKey::Education,
    FieldKey::LanguageSkills,
    FieldKey::FamilySituation,
    FieldKey::Health,
    FieldKey::CriminalRecord,
];

/// How a route is called. `{user}` in a path, a body or a field is the caller's user name,
/// so that each caller's writes are its own.
#[derive(Clone)]
enum Call {
    Get(String),
    Json(String, Value),
    /// An API `POST` without a body.
    Post(String),
    Page(String),
    Form(String, Vec<(&'static str, String)>),
    Message(String, String),
    /// An API `DELETE`.
    Delete(String),
    /// An API `PUT` and `PATCH` with a JSON body.
    Put(String, Value),
    Patch(String, Value),
}

/// One row of the table: a route, and who may use it seeing what.
struct Row {
    call: Call,
    may: Vec<(Who, &'static [FieldKey])>,
    /// Anyone may read it, signed in or not, a citizen too.
    public: bool,
}

impl Row {
    fn new(call: Call) -> Row {
        Row {
            call,
            may: Vec::new(),
            public: false,
        }
    }

    /// Anyone may read the page, signed in or not: every caller, and a citizen too.
    fn public(mut self) -> Row {
        self.public = true;
        self.may(EVERYONE, NOTHING)
    }

    /// `who` may use the route, and sees these of the citizen's fields.
    fn may(mut self, who: &[Who], sees: &'static [FieldKey]) -> Row {
        self.may.extend(who.iter().map(|w| (*w, sees)));
        self
    }

    fn is_html(&self) -> bool {
        matches!(
            self.call,
            Call::Page(_) | Call::Form(..) | Call::Message(..)
        )
    }

    fn describe(&self) -> String {
        match &self.call {
            Call::Get(p) | Call::Page(p) => format!("GET {p}"),
            Call::Json(p, _) | Call::Post(p) | Call::Form(p, _) | Call::Message(p, _) => {
                format!("POST {p}")
            }
            Call::Delete(p) => format!("DELETE {p}"),
            Call::Put(p, _) => format!("PUT {p}"),
            Call::Patch(p, _) => format!("PATCH {p}"),
        }
    }

    async fn send(&self, caller: &Caller) -> Reply {
        let me = |s: &str| {
            let (api_cpr, form_cpr) = new_cpr_of(&caller.username);
            s.replace("{user}", &caller.username)
                .replace("{password}", password_of(&caller.username))
                .replace("{cpr}", api_cpr)
                .replace("{form_cpr}", form_cpr)
        };
        match &self.call {
            Call::Get(p) | Call::Page(p) => caller.get(&me(p)).await,
            Call::Json(p, body) => {
                let body: Value = serde_json::from_str(&me(&body.to_string())).expect("json");
                caller.post_json(&me(p), &body).await
            }
            Call::Post(p) => caller.post_json(&me(p), &Value::Null).await,
            Call::Form(p, fields) => {
                let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, me(v))).collect();
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                caller.post_form(&me(p), &fields).await
            }
            Call::Message(p, body) => {
                caller
                    .post_multipart(&me(p), &[("body", &me(body))], None)
                    .await
            }
            Call::Delete(p) => caller.delete(&me(p)).await,
            Call::Put(p, body) => caller.put_json(&me(p), body).await,
            Call::Patch(p, body) => caller.patch_json(&me(p), body).await,
        }
    }
}

fn get(path: impl Into<String>) -> Row {
    Row::new(Call::Get(path.into()))
}
fn post(path: impl Into<String>, body: Value) -> Row {
    Row::new(Call::Json(path.into(), body))
}
fn post_empty(path: impl Into<String>) -> Row {
    Row::new(Call::Post(path.into()))
}
fn page(path: impl Into<String>) -> Row {
    Row::new(Call::Page(path.into()))
}
fn form(path: impl Into<String>, fields: &[(&'static str, &str)]) -> Row {
    Row::new(Call::Form(
        path.into(),
        fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
    ))
}
fn message(path: impl Into<String>) -> Row {
    Row::new(Call::Message(path.into(), "Hej fra {user}".into()))
}
fn put(path: impl Into<String>, body: Value) -> Row {
    Row::new(Call::Put(path.into(), body))
}
fn patch(path: impl Into<String>, body: Value) -> Row {
    Row::new(Call::Patch(path.into(), body))
}
fn delete(path: impl Into<String>) -> Row {
    Row::new(Call::Delete(path.into()))
}

/// What the table is checked against: a citizen with orders of every kind.
struct Fixture {
    citizen: Uuid,
    /// Mentorhuset's order (DPA in force), health disclosed by a decision.
    order: Uuid,
    /// Kompetencecentret's order, whose DPA has since expired.
    expired_order: Uuid,
    /// Praktikpartner's order, where the matrix's writes go.
    scratch: Uuid,
    closable: Uuid,
    purpose_id: Uuid,
    /// Praktikpartner's open data requests on `scratch`: one decided through the API, one
    /// through the caseworker's form.
    request: Uuid,
    form_request: Uuid,
    mentorhuset: Uuid,
    municipality: Uuid,
    general_file: Uuid,
    /// Vest's stand-in access on `order`, and on another citizen's order.
    stand_in_order: Uuid,
    stand_in_target: Uuid,
    stand_in_other: Uuid,
    /// Two closed orders of Mentorhuset's, whose deletion it confirms.
    closed: [Uuid; 2],
    /// Another citizen's CPR number, to search for.
    searched: String,
    /// A user outside the matrix, whom the administrator's sign-in forms act on.
    second_caseworker: Uuid,
    mentor_service: Uuid,
    /// The expired supplier's DPA, whose coverage the administrator sets, and the service
    /// it covers.
    ended_dpa: Uuid,
    opkval_service: Uuid,
    nord: Uuid,
    praktikpartner: Uuid,
    rights: RightsFixture,
    desk: DeskFixture,
    edits: EditsFixture,
}

/// What the administrator's edit routes act on, made for the matrix alone: a user, a unit,
/// a purpose, a service type and a DPA.
struct EditsFixture {
    user: Uuid,
    unit: Uuid,
    purpose: Uuid,
    service: Uuid,
    dpa: Uuid,
}

async fn edits_fixture(w: &World) -> EditsFixture {
    use skjold_app::catalogue::{DpaInput, PurposeInput, ServiceTypeInput};
    let admin = w.actor("admin").await;
    let user = w
        .app
        .add_user(
            Some(&admin),
            w.org("Jobcenter København Nord"),
            "matrix.redigeres",
            "Matrix Redigeres",
            Role::Caseworker,
            "en lang nok adgangskode",
        )
        .await
        .expect("user")
        .id;
    let unit = w
        .app
        .create_organisation(Some(&admin), OrgKind::Unit, None, "Matrixenhed", None)
        .await
        .expect("unit")
        .id;
    let purpose = w
        .app
        .create_purpose(
            &admin,
            &PurposeInput {
                name: "Matrixformål".into(),
                art6: "6.1.e".into(),
                national_law: "LAB § 1".into(),
                ..PurposeInput::default()
            },
        )
        .await
        .expect("purpose")
        .id;
    let service = w
        .app
        .create_service_type(
            &admin,
            &ServiceTypeInput {
                code: "MATRIX".into(),
                name: "Matrixydelse".into(),
                description: String::new(),
                purpose_id: purpose,
                policy: Default::default(),
            },
        )
        .await
        .expect("service type")
        .id;
    let dpa = w
        .app
        .create_dpa(
            &admin,
            &DpaInput {
                processor_id: w.org("Praktikpartner A/S"),
                reference: "DBA-MATRIX".into(),
                instructions: String::new(),
                starts_on: "2026-01-01".into(),
                ends_on: None,
                service_type_ids: vec![service],
            },
        )
        .await
        .expect("dpa")
        .id;
    EditsFixture {
        user,
        unit,
        purpose,
        service,
        dpa,
    }
}

/// The privacy officer's desk: a breach Mentorhuset reported, two reports of new
/// processing from Nord, and two retention rules (under legal hold) to retire.
struct DeskFixture {
    breach: Uuid,
    /// When the breach was reported (and the municipality became aware of it).
    at: skjold_core::Timestamp,
    drafts: [Uuid; 2],
    rules: [Uuid; 2],
}

/// Rights cases of Nord's, on the matrix's citizen unless said otherwise.
struct RightsFixture {
    /// An access request, decided: its draft answer holds the whole record.
    access: Uuid,
    /// An objection with the identity checked, to decide.
    decidable: Uuid,
    /// An objection to extend.
    extendable: Uuid,
    /// A decided objection whose letter is to be sent.
    sendable: Uuid,
    /// Mentorhuset's part, and Nord's, of a gathered access request.
    supplier_task: Uuid,
    unit_task: Uuid,
    /// Mentorhuset's notices of a rectified job goal (each supplier that received it has
    /// one): this citizen's, and another's.
    notice: Uuid,
    other_notice: Uuid,
}

/// A field the supplier's notice of the rectified job goal shows before and after.
const JOB_GOAL: &[FieldKey] = &[FieldKey::JobGoal];

/// The specification: every route, and who may use it seeing what. Everyone else is refused.
fn table(f: &Fixture) -> Vec<Row> {
    let c = f.citizen;
    let r = &f.rights;
    let order_body = json!({ "subject_id": c, "service_type_id": f.mentor_service, "supplier_id": f.mentorhuset });
    let place_body = json!({ "subject_id": c, "service_type_id": f.mentor_service, "supplier_id": f.mentorhuset,
        "task": "Mentorstøtte ({user})", "period_from": "2026-12-01", "period_to": "2027-02-28", "scope": "4 timer om ugen" });
    let d = &f.desk;
    // The form's `datetime-local` is Copenhagen time (UTC+1 in November).
    let met_at_local = d.at.plus_seconds(3600).rfc3339()[..16].to_owned();
    let affected = json!({ "party": { "kind": "organisation", "id": f.mentorhuset },
        "from": "2020-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z" });
    let mentorhuset = f.mentorhuset.to_string();
    let nord = f.nord.to_string();
    let edits_purpose = f.edits.purpose.to_string();
    let search = [
        ("party", "organisation"),
        ("organisation", mentorhuset.as_str()),
        ("from", "2020-01-01"),
        ("until", "2030-01-01"),
    ];
    vec![
        // ---- citizens ----------------------------------------------------------------------
        // The order's own unit, and a colleague elsewhere holding a stand-in access on it
        // (which opens the citizen's record too). Another unit without one: not found.
        get(format!("/api/v1/citizens/{c}")).may(&[Caseworker, StandInCaseworker], RECORD),
        page(format!("/borgere/{c}")).may(&[Caseworker, StandInCaseworker], RECORD),
        // Another citizen: a search opens the record it finds, and the matrix's citizen stays
        // closed to those with no other way in.
        post("/api/v1/citizens/search", json!({ "cpr": f.searched }))
            .may(&[Caseworker, OtherUnitCaseworker, StandInCaseworker], NOTHING),
        // The start page and the list of the unit's orders show each order's citizen by
        // name: the order's unit sees the matrix's citizen; every caseworker has a list of
        // their own unit's. The CPR number is posted and answered with a redirect.
        page("/borgere").may(&[Caseworker], NAME).may(
            &[OtherUnitCaseworker, StandInCaseworker, OtherMunicipalityCaseworker],
            NOTHING,
        ),
        page("/bestillinger").may(&[Caseworker], NAME).may(
            &[OtherUnitCaseworker, StandInCaseworker, OtherMunicipalityCaseworker],
            NOTHING,
        ),
        form("/bestillinger/soeg", &[("cpr", f.searched.as_str())]).may(CASEWORKERS, NOTHING),
        // A new citizen: any caseworker registers one of their own municipality's (Aarhus has
        // no purposes, so the name alone, without one). An item
        // on the matrix's citizen: those who may open the record (the citizen holds no
        // substance-abuse item before, so no value of theirs is replaced).
        post(
            "/api/v1/citizens",
            json!({ "cpr": "{cpr}", "name": "Ny Borger {user}", "source": "Anden myndighed" }),
        )
        .may(CASEWORKERS, NOTHING),
        form(
            "/borgere/ny",
            &[
                ("cpr", "{form_cpr}"),
                ("name", "Ny Borger {user}"),
                ("source", "Borgeren"),
            ],
        )
        .may(CASEWORKERS, NOTHING),
        post(
            format!("/api/v1/citizens/{c}/data"),
            json!({ "field": "substance_abuse", "value": "Intet kendt misbrug ({user})", "source": "Borgeren", "purpose": "Beskæftigelsesindsats" }),
        )
        .may(&[Caseworker, StandInCaseworker], NOTHING),
        form(
            format!("/borgere/{c}/oplysninger"),
            &[
                ("field", "substance_abuse"),
                ("value", "Intet kendt misbrug (formular, {user})"),
                ("source", "Borgeren"),
                ("purpose", "Beskæftigelsesindsats"),
            ],
        )
        .may(&[Caseworker, StandInCaseworker], NOTHING),
        form(
            format!("/borgere/{c}/underretning"),
            &[
                ("purpose", &f.purpose_id.to_string()),
                ("status", "exempt"),
                ("reason", "Borgeren har allerede fået oplysningerne ({user})"),
            ],
        )
        .may(&[Caseworker, StandInCaseworker], NOTHING),
        // ---- orders --------------------------------------------------------------------------
        get(format!("/api/v1/orders/{}", f.order))
            .may(&[Caseworker, StandInCaseworker], NAME)
            .may(&[Supplier], DISCLOSED),
        get(format!("/api/v1/orders/{}", f.expired_order)).may(&[Caseworker], NAME),
        // The lists name the citizen to the order's unit, and to each supplier the name was
        // disclosed to on an order of its own (Praktikpartner's scratch order too).
        get("/api/v1/orders")
            .may(&[Caseworker, Supplier, OtherSupplier], NAME)
            .may(
                &[OtherUnitCaseworker, StandInCaseworker, OtherMunicipalityCaseworker, ExpiredSupplier],
                NOTHING,
            ),
        post("/api/v1/orders/preview", order_body.clone())
            .may(&[Caseworker, StandInCaseworker], PREVIEWED),
        post("/api/v1/orders", place_body).may(&[Caseworker, StandInCaseworker], NOTHING),
        page(format!("/borgere/{c}/bestil?service={}&supplier={}", f.mentor_service, f.mentorhuset))
            .may(&[Caseworker, StandInCaseworker], PREVIEWED),
        form(
            "/bestillinger",
            &[
                ("subject_id", &c.to_string()),
                ("service_type_id", &f.mentor_service.to_string()),
                ("supplier_id", &f.mentorhuset.to_string()),
                ("task", "Mentorstøtte (formular, {user})"),
                ("from", "2026-12-01"),
                ("until", "2027-02-28"),
                ("scope", "4 timer om ugen"),
                ("idempotency_key", "matrix-{user}"),
            ],
        )
        .may(&[Caseworker, StandInCaseworker], NOTHING),
        page(format!("/bestillinger/{}", f.order)).may(&[Caseworker, StandInCaseworker], NAME),
        page(format!("/bestillinger/{}/afslut", f.order))
            .may(&[Caseworker, StandInCaseworker], NOTHING),
        post_empty(format!("/api/v1/orders/{}/close", f.closable)).may(&[Caseworker], NOTHING),
        page(format!("/leverandoer/bestillinger/{}", f.order)).may(&[Supplier], DISCLOSED),
        page(format!("/leverandoer/bestillinger/{}", f.expired_order)),
        page("/leverandoer")
            .may(&[Supplier, OtherSupplier], NAME)
            .may(&[ExpiredSupplier], NOTHING),
        // Stepping in on another unit's order: any caseworker of the municipality outside
        // that unit (the unit's own get a conflict, other municipalities not found). The
        // form itself holds nothing and is shown to every caseworker.
        post(
            format!("/api/v1/orders/{}/stand-in", f.stand_in_target),
            json!({ "reason": "Kollegaen er syg ({user})" }),
        )
        .may(&[OtherUnitCaseworker, StandInCaseworker], NOTHING),
        form(
            format!("/bestillinger/{}/stedfortraeder", f.stand_in_target),
            &[("reason", "Kollegaen er syg ({user})")],
        )
        .may(&[OtherUnitCaseworker, StandInCaseworker], NOTHING),
        page(format!("/bestillinger/{}/stedfortraeder", f.stand_in_target))
            .may(CASEWORKERS, NOTHING),
        // A closed order's supplier confirms deletion.
        post_empty(format!("/api/v1/orders/{}/deletion-confirmation", f.closed[0]))
            .may(&[Supplier], NOTHING),
        form(
            format!("/leverandoer/bestillinger/{}/sletning", f.closed[1]),
            &[("deleted", "yes")],
        )
        .may(&[Supplier], NOTHING),
        // ---- disclosures ---------------------------------------------------------------------
        post(
            format!("/api/v1/orders/{}/disclosures", f.scratch),
            json!({ "field": "address", "justification": "Mentoren skal besøge borgeren ({user})" }),
        )
        .may(&[Caseworker], NOTHING),
        form(
            format!("/bestillinger/{}/videregiv", f.scratch),
            &[("field", "phone"), ("justification", "Praktikværten skal ringe til borgeren")],
        )
        .may(&[Caseworker], NOTHING),
        // ---- threads and data requests ---------------------------------------------------------
        // The thread holds a message that names the citizen (a disclosed field).
        get(format!("/api/v1/orders/{}/thread", f.order))
            .may(&[Caseworker, StandInCaseworker, Supplier], NAME),
        post(format!("/api/v1/orders/{}/messages", f.order), json!({ "body": "Hej fra {user}" }))
            .may(&[Caseworker, StandInCaseworker, Supplier], NOTHING),
        message(format!("/bestillinger/{}/besked", f.order))
            .may(&[Caseworker, StandInCaseworker], NOTHING),
        message(format!("/leverandoer/bestillinger/{}/besked", f.order)).may(&[Supplier], NOTHING),
        post(
            format!("/api/v1/orders/{}/data-requests", f.order),
            json!({ "fields": ["address"], "reason": "Hjemmebesøg ({user})" }),
        )
        .may(&[Supplier], NOTHING),
        form(
            format!("/leverandoer/bestillinger/{}/anmodning", f.order),
            &[("field.phone", "on"), ("reason", "Mentoren skal kunne ringe ({user})")],
        )
        .may(&[Supplier], NOTHING),
        get("/api/v1/data-requests").may(CASEWORKERS, NOTHING),
        post(
            format!("/api/v1/data-requests/{}/decision", f.request),
            json!({ "fields": [
                { "field": "address", "decision": "reject", "reason": "Ikke nødvendigt for praktikken" }
            ] }),
        )
        .may(&[Caseworker], NOTHING),
        form(
            format!("/anmodninger/{}", f.form_request),
            &[
                ("order_id", &f.scratch.to_string()),
                ("decision.email", "reject"),
                ("reason.email", "Ikke nødvendigt for praktikken"),
            ],
        )
        .may(&[Caseworker], NOTHING),
        // General threads carry no citizen data; a supplier's is with the municipality.
        get("/api/v1/general-threads").may(CASEWORKERS, NOTHING).may(SUPPLIERS, NOTHING),
        get(format!("/api/v1/general-threads/{}", f.mentorhuset))
            .may(&[Caseworker, OtherUnitCaseworker, StandInCaseworker], NOTHING),
        get(format!("/api/v1/general-threads/{}", f.municipality))
            .may(&[Supplier, OtherSupplier], NOTHING),
        post(
            format!("/api/v1/general-threads/{}/messages", f.mentorhuset),
            json!({ "body": "Hej fra {user}" }),
        )
        .may(&[Caseworker, OtherUnitCaseworker, StandInCaseworker], NOTHING),
        get(format!("/api/v1/general-attachments/{}", f.general_file))
            .may(&[Caseworker, OtherUnitCaseworker, StandInCaseworker, Supplier], NOTHING),
        page(format!("/beskeder/{}", f.mentorhuset))
            .may(&[Caseworker, OtherUnitCaseworker, StandInCaseworker], NOTHING),
        message(format!("/beskeder/{}", f.municipality)).may(&[Supplier, OtherSupplier], NOTHING),
        // ---- oversight -------------------------------------------------------------------------
        post("/api/v1/ledger/query", json!({})).may(OVERSIGHT, NOTHING),
        post("/api/v1/access-log/query", json!({})).may(OVERSIGHT, NOTHING),
        page("/tilsyn/videregivelser").may(OVERSIGHT, NOTHING),
        page("/tilsyn/adgangslog").may(OVERSIGHT, NOTHING),
        // Exports carry IDs and keyed hashes, never a citizen's values.
        post("/api/v1/access-log/export", json!({ "format": "csv" })).may(OVERSIGHT, NOTHING),
        form("/tilsyn/adgangslog/eksport", &[("export", "jsonl")]).may(OVERSIGHT, NOTHING),
        post("/api/v1/ledger/export", json!({ "format": "csv" })).may(OVERSIGHT, NOTHING),
        form("/tilsyn/videregivelser/eksport", &[("export", "jsonl")]).may(OVERSIGHT, NOTHING),
        // The privacy officer follows up; the auditor may look.
        get("/api/v1/follow-up").may(OVERSIGHT, NOTHING),
        page("/tilsyn").may(OVERSIGHT, NOTHING),
        post(
            format!("/api/v1/stand-ins/{}/follow-up", f.stand_in_order),
            json!({ "note": "Set af {user}" }),
        )
        .may(&[Dpo], NOTHING),
        form(
            format!("/tilsyn/stedfortraeder/{}", f.stand_in_other),
            &[("note", "Set af {user}")],
        )
        .may(&[Dpo], NOTHING),
        page("/tilsyn/log-ind").may(&[Admin, Dpo, Auditor], NOTHING),
        page("/tilsyn/samtykker").may(OVERSIGHT, NOTHING),
        form(
            "/tilsyn/samtykker",
            &[
                ("channel", "email"),
                ("right_basis", "yes"),
                ("not_a_condition", "yes"),
                ("retention", "sletter vi det straks"),
                ("recipients", "kommunens e-mailtjeneste"),
            ],
        )
        .may(&[Dpo], NOTHING),
        // ---- data-subject rights ------------------------------------------------------------
        // The list and its page carry no citizen's data: every caseworker has one (another
        // unit's is empty), the privacy officer and the auditor see every case.
        get("/api/v1/rights-cases").may(CASEWORKERS, NOTHING).may(OVERSIGHT, NOTHING),
        page("/rettigheder").may(CASEWORKERS, NOTHING).may(OVERSIGHT, NOTHING),
        // A case is its unit's and the privacy officer's; another unit finds nothing.
        get(format!("/api/v1/rights-cases/{}", r.access)).may(&[Caseworker, Dpo], NAME),
        page(format!("/rettigheder/{}", r.access)).may(&[Caseworker, Dpo], NAME),
        // The access answer is the whole record, to those who answer it.
        get(format!("/api/v1/rights-cases/{}/answer", r.access)).may(&[Caseworker, Dpo], RECORD),
        // The letters are PDFs (their text compressed): only who may, not what, is checked.
        get(format!("/api/v1/rights-cases/{}/letter", r.access)).may(&[Caseworker, Dpo], NOTHING),
        page(format!("/rettigheder/{}/brev.pdf", r.access)).may(&[Caseworker, Dpo], NOTHING),
        get("/api/v1/rights-cases/export").may(OVERSIGHT, NOTHING),
        page("/rettigheder/eksport.csv").may(OVERSIGHT, NOTHING),
        // Registering lists the record's items to choose from: those who may open it.
        page(format!("/rettigheder/ny?borger={c}")).may(&[Caseworker, StandInCaseworker], RECORD),
        post(
            "/api/v1/rights-cases",
            json!({ "citizen": c, "kind": "objection", "received_at": "2026-11-20", "channel": "letter", "description": "Indsigelse ({user})" }),
        )
        .may(&[Caseworker, StandInCaseworker, Dpo], NOTHING),
        form(
            "/rettigheder",
            &[
                ("citizen", &c.to_string()),
                ("kind", "objection"),
                ("received_on", "2026-11-20"),
                ("channel", "phone"),
                ("description", "Indsigelse ({user})"),
            ],
        )
        .may(&[Caseworker, StandInCaseworker, Dpo], NOTHING),
        post(
            format!("/api/v1/rights-cases/{}/identity", r.decidable),
            json!({ "method": "MitID ({user})" }),
        )
        .may(&[Caseworker, Dpo], NOTHING),
        form(
            format!("/rettigheder/{}/identitet", r.decidable),
            &[("method", "MitID ved fremmøde ({user})")],
        )
        .may(&[Caseworker, Dpo], NOTHING),
        // What can be done once is done by the first who may (the caseworker); the privacy
        // officer then meets a conflict, which the table counts as refused.
        post(
            format!("/api/v1/rights-cases/{}/extension", r.extendable),
            json!({ "months": 1, "reason": "Mange fagsystemer skal gennemgås ({user})" }),
        )
        .may(&[Caseworker], NOTHING),
        post(
            format!("/api/v1/rights-cases/{}/decision", r.decidable),
            json!({ "outcome": "refused", "reasons": "Der er tungtvejende legitime grunde ({user})",
                "situation": "Borgeren er flyttet og vil ikke kontaktes", "grounds": "Sagen kræver fortsat behandling efter loven" }),
        )
        .may(&[Caseworker], NOTHING),
        post_empty(format!("/api/v1/rights-cases/{}/review", r.access)).may(&[Caseworker, Dpo], NOTHING),
        post_empty(format!("/api/v1/rights-cases/{}/send", r.sendable)).may(&[Caseworker], NOTHING),
        get("/api/v1/rights-tasks").may(CASEWORKERS, NOTHING).may(SUPPLIERS, NOTHING),
        post(
            format!("/api/v1/rights-tasks/{}/contribution", r.supplier_task),
            json!({ "contribution": "Tre mødereferater ({user})" }),
        )
        .may(&[Supplier], NOTHING),
        form(
            format!("/rettigheder/opgaver/{}", r.unit_task),
            &[("contribution", "Intet ud over Skjold ({user})")],
        )
        .may(&[Caseworker], NOTHING),
        // A supplier's notices show its own copies before and after the change: each of the
        // three received the job goal with its order.
        get("/api/v1/notifications").may(SUPPLIERS, JOB_GOAL),
        page("/leverandoer/underretninger").may(SUPPLIERS, JOB_GOAL),
        post_empty(format!("/api/v1/notifications/{}/acknowledge", r.notice)).may(&[Supplier], NOTHING),
        form(format!("/leverandoer/underretninger/{}/kvitter", r.other_notice), &[])
            .may(&[Supplier], NOTHING),
        // ---- the privacy officer's desk ------------------------------------------------------
        // The breach register: the privacy officer works it, the auditor reads it, a
        // supplier reports and reads its own (one without a DPA in force cannot report).
        get("/api/v1/breaches").may(SUPPLIERS, NOTHING).may(OVERSIGHT, NOTHING),
        post(
            "/api/v1/breaches",
            json!({ "controller_id": f.municipality, "processor_aware_at": "2026-11-23T09:00:00Z",
                "nature": ["availability"], "description": "Nedbrud hos {user}", "contact_point": "{user}" }),
        )
        .may(&[Supplier, OtherSupplier, Dpo], NOTHING),
        get(format!("/api/v1/breaches/{}", d.breach)).may(&[Supplier, Dpo, Auditor], NOTHING),
        get(format!("/api/v1/breaches/{}/report", d.breach)).may(&[Supplier, Dpo, Auditor], NOTHING),
        post(
            format!("/api/v1/breaches/{}/clocks/authority", d.breach),
            json!({ "met_at": d.at.rfc3339() }),
        )
        .may(&[Dpo], NOTHING),
        post("/api/v1/breaches/affected", affected.clone()).may(&[Dpo], NOTHING),
        post(format!("/api/v1/breaches/{}/affected", d.breach), affected).may(&[Dpo], NOTHING),
        page("/tilsyn/brud").may(OVERSIGHT, NOTHING),
        form(
            "/tilsyn/brud",
            &[
                ("aware_at", "2026-11-23T10:00"),
                ("nature", "integrity"),
                ("description", "Et brev til forkert modtager ({user})"),
                ("contact_point", "{user}"),
                ("risk", "normal"),
            ],
        )
        .may(&[Dpo], NOTHING),
        page(format!("/tilsyn/brud/{}", d.breach)).may(OVERSIGHT, NOTHING),
        page(format!("/tilsyn/brud/{}/rapport.pdf", d.breach)).may(OVERSIGHT, NOTHING),
        form(
            format!("/tilsyn/brud/{}/frist/persons", d.breach),
            &[("met_at", &met_at_local)],
        )
        .may(&[Dpo], NOTHING),
        form(format!("/tilsyn/brud/{}/beroerte", d.breach), &search).may(&[Dpo], NOTHING),
        form(format!("/tilsyn/brud/{}/beroerte/tilknyt", d.breach), &search).may(&[Dpo], NOTHING),
        // The privacy officer is sent on from the supplier's page to the register.
        page("/brud").may(SUPPLIERS, NOTHING).may(&[Dpo], NOTHING),
        form(
            "/brud",
            &[
                ("controller_id", &f.municipality.to_string()),
                ("processor_aware_at", "2026-11-23T10:00"),
                ("nature", "confidentiality"),
                ("description", "En kuffert med sagsakter er væk ({user})"),
                ("contact_point", "{user}"),
                ("risk", "normal"),
            ],
        )
        .may(&[Supplier, OtherSupplier], NOTHING),
        // The records of processing: read by the privacy officer, the auditor and the
        // administrator; reviewed and decided by the privacy officer; reported by units.
        get("/api/v1/records?format=csv").may(&[Admin, Dpo, Auditor], NOTHING),
        get("/api/v1/records/versions").may(&[Admin, Dpo, Auditor], NOTHING),
        post("/api/v1/records/review", json!({ "note": "Set af {user}" })).may(&[Dpo], NOTHING),
        get("/api/v1/records/drafts").may(MUNICIPAL, NOTHING),
        post(
            "/api/v1/records/drafts",
            json!({ "name": "Behandling {user}", "purpose": "Afprøvning", "subject_categories": "Ledige", "data_categories": ["identity"] }),
        )
        .may(CASEWORKERS, NOTHING),
        post(
            format!("/api/v1/records/drafts/{}/decision", d.drafts[0]),
            json!({ "approve": true }),
        )
        .may(&[Dpo], NOTHING),
        page("/tilsyn/fortegnelse").may(&[Admin, Dpo, Auditor], NOTHING),
        page("/tilsyn/fortegnelse/eksport/pdf").may(&[Admin, Dpo, Auditor], NOTHING),
        form("/tilsyn/fortegnelse/gennemgaa", &[("note", "Set af {user}")]).may(&[Dpo], NOTHING),
        form(
            format!("/tilsyn/fortegnelse/anmeldelser/{}", d.drafts[1]),
            &[("decision", "return"), ("comment", "Beskriv modtagerne")],
        )
        .may(&[Dpo], NOTHING),
        page("/fortegnelse/anmeld").may(CASEWORKERS, NOTHING),
        form(
            "/fortegnelse/anmeld",
            &[
                ("name", "Behandling {user}"),
                ("purpose", "Afprøvning"),
                ("subject_categories", "Ledige"),
                ("category", "identity"),
            ],
        )
        .may(CASEWORKERS, NOTHING),
        // Retention: the privacy officer and the administrator write rules and run them
        // (here only dry runs), the auditor reads. A rule is retired once, by the first who
        // may (the administrator); the privacy officer then finds it gone.
        get("/api/v1/retention/rules").may(&[Admin, Dpo, Auditor], NOTHING),
        post(
            "/api/v1/retention/rules",
            json!({ "record_type": "citizen_data", "trigger": "received", "period_months": 240,
                "action": "review", "legal_reference": "Regel af {user}", "legal_hold": true }),
        )
        .may(&[Admin, Dpo], NOTHING),
        delete(format!("/api/v1/retention/rules/{}", d.rules[0])).may(&[Admin], NOTHING),
        post_empty("/api/v1/retention/run?dry_run=true").may(&[Admin, Dpo], NOTHING),
        get("/api/v1/retention/receipts").may(&[Admin, Dpo, Auditor], NOTHING),
        get("/api/v1/retention/deliveries").may(&[Admin, Dpo, Auditor], NOTHING),
        page("/tilsyn/opbevaring").may(&[Admin, Dpo, Auditor], NOTHING),
        form(
            "/tilsyn/opbevaring/regler",
            &[
                ("record_type", "citizen_data"),
                ("trigger", "received"),
                ("months", "240"),
                ("action", "review"),
                ("legal_reference", "Regel af {user}"),
                ("legal_hold", "yes"),
            ],
        )
        .may(&[Admin, Dpo], NOTHING),
        form(format!("/tilsyn/opbevaring/regler/{}/ophaev", d.rules[1]), &[]).may(&[Admin], NOTHING),
        form("/tilsyn/opbevaring/koer", &[("dry_run", "yes")]).may(&[Admin, Dpo], NOTHING),
        // ---- the directory and the catalogue ---------------------------------------------------
        get("/api/v1/me").may(EVERYONE, NOTHING),
        get("/api/v1/organisations").may(MUNICIPAL, NOTHING),
        get("/api/v1/purposes").may(MUNICIPAL, NOTHING),
        get("/api/v1/service-types").may(MUNICIPAL, NOTHING),
        get("/api/v1/dpas").may(MUNICIPAL, NOTHING),
        post(
            "/api/v1/organisations",
            json!({ "kind": "supplier", "name": "Ny leverandør {user}", "cvr": "29403473" }),
        )
        .may(&[Admin], NOTHING),
        post(
            "/api/v1/users",
            json!({ "organisation_id": f.nord, "username": "ny.{user}", "display_name": "Ny Bruger", "role": "caseworker", "password": "en lang nok adgangskode" }),
        )
        .may(&[Admin], NOTHING),
        post(
            "/api/v1/purposes",
            json!({ "name": "Formål {user}", "art6": "6.1.e", "national_law": "LAB § 1" }),
        )
        .may(&[Admin], NOTHING),
        post(
            "/api/v1/service-types",
            json!({ "code": "T-{user}", "name": "Test", "purpose_id": f.purpose_id, "policy": { "name": "automatic" } }),
        )
        .may(&[Admin], NOTHING),
        post(
            "/api/v1/dpas",
            json!({ "processor_id": f.praktikpartner, "reference": "DBA-{user}", "starts_on": "2026-01-01" }),
        )
        .may(&[Admin], NOTHING),
        post(
            format!("/api/v1/dpas/{}/coverage", f.ended_dpa),
            json!({ "service_type_ids": [f.opkval_service] }),
        )
        .may(&[Admin], NOTHING),
        form(
            format!("/admin/aftaler/{}/ydelser", f.ended_dpa),
            // A field's name holds the service type's id: made once, for the table's life.
            &[(
                Box::leak(format!("service.{}", f.opkval_service).into_boxed_str()),
                "yes",
            )],
        )
        .may(&[Admin], NOTHING),
        page("/admin").may(&[Admin], NOTHING),
        // ---- the administrator's edits and their history (each edit changes something) ----
        patch(format!("/api/v1/users/{}", f.edits.user), json!({ "active": false }))
            .may(&[Admin], NOTHING),
        get(format!("/api/v1/users/{}/history", f.edits.user)).may(&[Admin], NOTHING),
        page(format!("/admin/brugere/{}", f.edits.user)).may(&[Admin], NOTHING),
        form(
            format!("/admin/brugere/{}", f.edits.user),
            &[
                ("organisation_id", nord.as_str()),
                ("role", "caseworker"),
                ("active", "true"),
            ],
        )
        .may(&[Admin], NOTHING),
        patch(
            format!("/api/v1/organisations/{}", f.edits.unit),
            json!({ "name": "Matrixenhed A" }),
        )
        .may(&[Admin], NOTHING),
        get(format!("/api/v1/organisations/{}/history", f.edits.unit)).may(&[Admin], NOTHING),
        page(format!("/admin/organisationer/{}", f.edits.unit)).may(&[Admin], NOTHING),
        form(
            format!("/admin/organisationer/{}", f.edits.unit),
            &[("name", "Matrixenhed B"), ("cvr", "")],
        )
        .may(&[Admin], NOTHING),
        put(
            format!("/api/v1/purposes/{}", f.edits.purpose),
            json!({ "name": "Matrixformål A", "art6": "6.1.e", "national_law": "LAB § 1" }),
        )
        .may(&[Admin], NOTHING),
        get(format!("/api/v1/purposes/{}/history", f.edits.purpose)).may(&[Admin], NOTHING),
        page(format!("/admin/formaal/{}", f.edits.purpose)).may(&[Admin], NOTHING),
        form(
            format!("/admin/formaal/{}", f.edits.purpose),
            &[
                ("name", "Matrixformål B"),
                ("art6", "6.1.e"),
                ("art9", ""),
                ("national_law", "LAB § 1"),
            ],
        )
        .may(&[Admin], NOTHING),
        put(
            format!("/api/v1/service-types/{}", f.edits.service),
            json!({ "name": "Matrixydelse A", "purpose_id": f.edits.purpose, "policy": { "name": "automatic" } }),
        )
        .may(&[Admin], NOTHING),
        get(format!("/api/v1/service-types/{}/history", f.edits.service)).may(&[Admin], NOTHING),
        get(format!("/api/v1/service-types/{}/policy-versions", f.edits.service))
            .may(&[Admin], NOTHING),
        page(format!("/admin/ydelser/{}", f.edits.service)).may(&[Admin], NOTHING),
        form(
            format!("/admin/ydelser/{}", f.edits.service),
            &[
                ("name", "Matrixydelse B"),
                ("purpose_id", edits_purpose.as_str()),
                ("rule.name", "never"),
            ],
        )
        .may(&[Admin], NOTHING),
        put(
            format!("/api/v1/dpas/{}", f.edits.dpa),
            json!({ "reference": "DBA-MATRIX-A" }),
        )
        .may(&[Admin], NOTHING),
        get(format!("/api/v1/dpas/{}/history", f.edits.dpa)).may(&[Admin], NOTHING),
        page(format!("/admin/aftaler/{}", f.edits.dpa)).may(&[Admin], NOTHING),
        form(
            format!("/admin/aftaler/{}", f.edits.dpa),
            &[
                ("reference", "DBA-MATRIX-B"),
                ("instructions", "Instruks fra matrixen"),
                ("ends_on", ""),
            ],
        )
        .may(&[Admin], NOTHING),
        form(
            "/admin/organisationer",
            &[("kind", "unit"), ("name", "Enhed {user}"), ("cvr", "")],
        )
        .may(&[Admin], NOTHING),
        // ---- sign-in security and the access review ----------------------------------------------
        page("/admin/sikkerhed").may(&[Admin], NOTHING),
        form(
            "/admin/sikkerhed",
            &[
                ("lockout_threshold", "5"),
                ("lockout_window_hours", "24"),
                ("block_minutes", "30"),
                ("totp_roles", "privacy_officer"),
                ("totp_roles", "administrator"),
            ],
        )
        .may(&[Admin], NOTHING),
        page("/admin/gennemgang").may(&[Admin], NOTHING),
        form(
            format!("/admin/gennemgang/{}", f.second_caseworker),
            &[("decision", "confirm"), ("note", "fortsat")],
        )
        .may(&[Admin], NOTHING),
        form(format!("/admin/sikkerhed/engangskode/{}", f.second_caseworker), &[])
            .may(&[Admin], NOTHING),
        form(format!("/admin/sikkerhed/adgangskode/{}", f.second_caseworker), &[])
            .may(&[Admin], NOTHING),
        // Everyone changes their own password (for good; this session goes on).
        page("/konto/adgangskode").may(EVERYONE, NOTHING),
        // The accessibility statement and the privacy notice for staff users.
        page("/tilgaengelighed").public(),
        page("/privatliv").public(),
        form(
            "/konto/adgangskode",
            &[
                ("current_password", "{password}"),
                ("new_password", "matrix-{user}-ny-kode"),
                ("repeat_password", "matrix-{user}-ny-kode"),
            ],
        )
        .may(EVERYONE, NOTHING),
    ]
}

/// Builds the world the table is checked against.
async fn fixture(w: &World) -> Fixture {
    let directory = w.db.store.directory().clone();
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[11].clone();
    w.search(&cw, &citizen).await;

    // An order with the expired supplier, placed while its DPA was still in force.
    w.clock.set(crate::common::NOW.plus_seconds(-100 * 86_400));
    let expired_order = w
        .order(&cw, citizen.id, "OPKVAL", "Kompetencecentret Øst ApS")
        .await;
    w.clock.set(crate::common::NOW);
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
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
        .order(&cw, citizen.id, "JOBSOG", "Praktikpartner A/S")
        .await;
    let closable = w.order(&cw, citizen.id, "DANSK", "Mentorhuset ApS").await;
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
    let form_request = w
        .app
        .request_data(
            &praktik,
            scratch,
            &["email".into()],
            "Praktikværten skal sende materiale",
        )
        .await
        .expect("request to decide in the form");

    let mentorhuset = w.org("Mentorhuset ApS");
    let municipality = cw.controller_id;
    w.app
        .send_general_message(
            &w.actor("mentorhuset").await,
            municipality,
            "Vores kapacitet i december er vedhæftet.",
            &[skjold_app::threads::uploads::Upload {
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
    let other = directory
        .create_organisation(
            OrgKind::Municipality,
            None,
            "Aarhus Kommune (test)",
            None,
            crate::common::NOW,
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
    let vest = directory
        .create_organisation(
            OrgKind::Unit,
            Some(cw.controller_id),
            "Jobcenter København Vest",
            None,
            crate::common::NOW,
        )
        .await
        .expect("unit");
    let extra_password = EXTRA_PASSWORD;
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
        .order(&cw, target_citizen.id, "JOBSOG", "Praktikpartner A/S")
        .await;
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
        let o = w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await;
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
    let rights = rights_fixture(w, citizen.id, &w.demo.citizens[7]).await;
    let desk = desk_fixture(w).await;
    let edits = edits_fixture(w).await;
    Fixture {
        rights,
        desk,
        edits,
        citizen: citizen.id,
        order,
        expired_order,
        scratch,
        closable,
        purpose_id,
        request,
        form_request,
        mentorhuset,
        municipality,
        general_file,
        stand_in_order,
        stand_in_target,
        stand_in_other,
        closed: [closed[0], closed[1]],
        searched,
        second_caseworker: second_caseworker.user_id,
        mentor_service: w.service("MENTOR"),
        ended_dpa: w
            .app
            .dpas(&w.actor("admin").await)
            .await
            .expect("dpas")
            .into_iter()
            .find(|d| d.processor_name == "Kompetencecentret Øst ApS")
            .expect("the ended DPA")
            .id,
        opkval_service: w.service("OPKVAL"),
        nord: w.org("Jobcenter København Nord"),
        praktikpartner: w.org("Praktikpartner A/S"),
    }
}

/// The desk's breach, processing reports and rules (see [`DeskFixture`]).
async fn desk_fixture(w: &World) -> DeskFixture {
    use skjold_core::breaches::{BreachReport, DetectedBy, Nature};
    use skjold_core::records::DraftInput;
    use skjold_core::retention::{RecordType, RetentionAction, RuleInput, Trigger};
    let now = w.app.now();
    let mentor = w.actor("mentorhuset").await;
    let breach = w
        .app
        .report_breach(
            &mentor,
            Some(w.demo.municipality_id),
            &BreachReport {
                detected_by: DetectedBy::Processor,
                processor_id: None,
                processor_aware_at: Some(now.plus_seconds(-3600)),
                aware_at: now,
                occurred_at: None,
                nature: vec![Nature::Confidentiality],
                description: "En mentors telefon er glemt i toget".into(),
                data_categories: vec![skjold_core::Category::Identity],
                subject_categories: "Borgere i mentorforløb".into(),
                approx_persons: 5,
                approx_records: 5,
                contact_point: "Mentorhuset".into(),
                consequences: String::new(),
                measures: String::new(),
                high_risk: true,
                no_risk: false,
            },
        )
        .await
        .expect("breach");
    let cw = w.actor("sagsbehandler").await;
    let mut drafts = Vec::new();
    for name in ["Jobrotation", "Løntilskud"] {
        let draft = DraftInput {
            name: name.into(),
            purpose: "Opfølgning".into(),
            subject_categories: "Ledige".into(),
            data_categories: vec![skjold_core::Category::Employment],
            recipients: String::new(),
            retention: "5 år".into(),
            question: String::new(),
        };
        drafts.push(w.app.report_processing(&cw, &draft).await.expect("draft"));
    }
    let dpo = w.actor("dpo").await;
    let mut rules = Vec::new();
    for (record_type, trigger) in [
        (RecordType::OrderMessages, Trigger::OrderClosed),
        (RecordType::RightsCase, Trigger::CaseClosed),
    ] {
        let rule = RuleInput {
            record_type,
            purpose_id: None,
            trigger,
            period_months: 120,
            action: RetentionAction::Review,
            legal_reference: "Tilbageholdt til matricen".into(),
            legal_hold: true,
        };
        rules.push(w.app.set_retention_rule(&dpo, &rule).await.expect("rule"));
    }
    DeskFixture {
        breach,
        at: now,
        drafts: [drafts[0], drafts[1]],
        rules: [rules[0], rules[1]],
    }
}

/// Nord's rights cases for the matrix (see [`RightsFixture`]); `other` has a closed
/// Mentorhuset order.
async fn rights_fixture(
    w: &World,
    citizen: Uuid,
    other: &skjold_app::demo::DemoCitizen,
) -> RightsFixture {
    use skjold_app::rights::{AccessInput, CaseInput, DecisionInput};
    let cw = w.actor("sagsbehandler").await;
    let open = |kind: &str, citizen: Uuid| CaseInput {
        citizen,
        kind: kind.into(),
        received_on: "2026-11-20".into(),
        channel: "letter".into(),
        description: "Anmodningen, med borgerens egne ord.".into(),
        ..CaseInput::default()
    };
    let case = async |input: CaseInput| {
        let (id, _) = w.app.open_rights_case(&cw, &input).await.expect("case");
        w.app
            .check_rights_identity(&cw, id, "MitID")
            .await
            .expect("identity");
        id
    };
    let decide = async |id: Uuid, input: DecisionInput| {
        w.app
            .decide_rights_case(&cw, id, &input)
            .await
            .expect("decide");
    };
    let granted = DecisionInput {
        outcome: "granted".into(),
        reasons: "Borgeren har ret til det, anmodningen gælder.".into(),
        ..DecisionInput::default()
    };
    let mut access = open("access", citizen);
    access.access = Some(AccessInput {
        wish: "my_data_in_a_case".into(),
        scope: "case".into(),
        ..AccessInput::default()
    });
    let access = case(access).await;
    decide(access, granted.clone()).await;
    let decidable = case(open("objection", citizen)).await;
    let extendable = case(open("objection", citizen)).await;
    let sendable = case(open("objection", citizen)).await;
    decide(
        sendable,
        DecisionInput {
            assessment: skjold_app::rights::AssessmentInput {
                situation: "Borgeren er flyttet og vil ikke kontaktes".into(),
                grounds: "Ingen vægtige grunde går forud for borgerens".into(),
                ..Default::default()
            },
            ..granted.clone()
        },
    )
    .await;
    let mut wide = open("access", citizen);
    wide.access = Some(AccessInput {
        wish: "my_data_broadly".into(),
        scope: "administration".into(),
        ..AccessInput::default()
    });
    let (wide, _) = w.app.open_rights_case(&cw, &wide).await.expect("case");
    let tasks = w.app.rights_case(&cw, wide).await.expect("case").tasks;
    let task_of = |name: &str| {
        tasks
            .iter()
            .find(|t| t.organisation_name == name)
            .expect("a part")
            .id
    };
    // The job goal rectified: Mentorhuset, which received it, is told.
    let mut notices = Vec::new();
    for c in [citizen, other.id] {
        if c == other.id {
            w.search(&cw, other).await;
        }
        let goal = w
            .app
            .citizen(&cw, c)
            .await
            .expect("citizen")
            .data
            .iter()
            .find(|d| d.field == FieldKey::JobGoal)
            .expect("job goal")
            .id;
        let mut input = open("rectification", c);
        input.items = vec![goal];
        let id = case(input).await;
        decide(
            id,
            DecisionInput {
                judgement: "incorrect".into(),
                note: "Jobmålet er rettet efter jobsamtalen.".into(),
                reasons: "Oplysningen var urigtig ifølge referatet.".into(),
                ..DecisionInput::default()
            },
        )
        .await;
        let notice = w
            .app
            .rights_case(&cw, id)
            .await
            .expect("case")
            .notices
            .iter()
            .find(|n| n.supplier_name == "Mentorhuset ApS")
            .expect("Mentorhuset's notice")
            .id;
        notices.push(notice);
    }
    RightsFixture {
        access,
        decidable,
        extendable,
        sendable,
        supplier_task: task_of("Mentorhuset ApS"),
        unit_task: task_of("Jobcenter København Nord"),
        notice: notices[0],
        other_notice: notices[1],
    }
}

/// The password each caller signs in with.
/// A new citizen's CPR number for each caller to register, over the API and by the form
/// (so that each registration is new).
fn new_cpr_of(username: &str) -> (&'static str, &'static str) {
    match username {
        "sagsbehandler" => ("150585-1001", "150585-1002"),
        "sagsbehandler2" => ("150585-1003", "150585-1004"),
        "vest.sb" => ("150585-1005", "150585-1006"),
        "aarhus.sb" => ("150585-1007", "150585-1008"),
        _ => ("150585-1009", "150585-1010"),
    }
}

fn password_of(username: &str) -> &'static str {
    if ["aarhus.sb", "vest.sb"].contains(&username) {
        EXTRA_PASSWORD
    } else {
        skjold_app::demo::DEMO_PASSWORD
    }
}

const EXTRA_PASSWORD: &str = "en lang nok adgangskode";

async fn authorisation_matrix_finds_no_leak(backend: Backend) {
    let w = World::new(backend, 12).await;
    let f = fixture(&w).await;
    let rows = table(&f);
    let view = w
        .app
        .citizen(&w.actor("sagsbehandler").await, f.citizen)
        .await
        .expect("view");
    let cpr_digits = view.value(FieldKey::Cpr).expect("cpr").replace('-', "");
    let values: Vec<(FieldKey, String)> = view
        .data
        .iter()
        .map(|d| (d.field, d.value.clone()))
        .collect();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (who, username) in CALLERS {
        let api = w.api(username).await;
        let browser = w.browser(username, password_of(username)).await;
        for row in &rows {
            let caller = if row.is_html() { &browser } else { &api };
            let reply = row.send(caller).await;
            let sees = row.may.iter().find(|(w, _)| *w == who).map(|(_, s)| *s);
            let context = format!(
                "{who:?} {} → {} {}",
                row.describe(),
                reply.status,
                &reply.body[..reply.body.len().min(200)]
            );
            match sees {
                // A form that succeeds answers with a redirect.
                Some(_)
                    if !(reply.status.is_success() || reply.status == StatusCode::SEE_OTHER) =>
                {
                    wrong.push(format!("should be allowed: {context}"));
                }
                None if !reply.status.is_client_error()
                    || reply.status == StatusCode::UNAUTHORIZED =>
                {
                    wrong.push(format!("should be refused: {context}"));
                }
                _ => {}
            }
            let visible: BTreeSet<FieldKey> = sees.unwrap_or(NOTHING).iter().copied().collect();
            for (field, value) in &values {
                // Short values ("Kok") could appear by coincidence; the distinctive ones decide.
                if value.chars().count() < 8 {
                    continue;
                }
                let shown =
                    reply.body.contains(value.as_str()) || reply.body.contains(&html_escape(value));
                if visible.contains(field) && !shown {
                    wrong.push(format!("{field} should be visible: {context}"));
                }
                if !visible.contains(field) && shown {
                    wrong.push(format!("LEAK of {field}: {context}"));
                }
            }
            if !visible.contains(&FieldKey::Cpr) && reply.body.contains(&cpr_digits) {
                wrong.push(format!("LEAK of the CPR digits: {context}"));
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} cases wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(checked, CALLERS.len() * rows.len());
    assert!(checked >= 690, "{checked}");
    w.done().await;
}

/// A citizen signed in to their own view (the matrix's own citizen, whose data every staff
/// route is about) calls every staff route of the table: each is refused with 403 or 404,
/// never taken for a staff session or sent to the staff sign-in, and no reply carries any
/// of the citizen's values. Staff sessions and tokens in turn get nothing from the
/// citizen's pages.
async fn a_citizen_reaches_no_staff_route(backend: Backend) {
    let mut w = World::new(backend, 12).await;
    let f = fixture(&w).await;
    let rows = table(&f);
    let provider = w.citizen_provider().await;
    let (citizen, refused) = w.citizen_browser(&provider, 11).await;
    let citizen = citizen.unwrap_or_else(|| panic!("signed in: {}", refused.body));
    let view = w
        .app
        .citizen(&w.actor("sagsbehandler").await, f.citizen)
        .await
        .expect("view");
    let values: Vec<String> = view
        .data
        .iter()
        .map(|d| d.value.clone())
        .filter(|v| v.chars().count() >= 8)
        .collect();
    let mut wrong = Vec::new();
    for row in &rows {
        let reply = row.send(&citizen).await;
        let context = format!("citizen {} → {}", row.describe(), reply.status);
        if row.public {
            if reply.status != StatusCode::OK {
                wrong.push(format!("should be public: {context}"));
            }
        } else if !matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
            wrong.push(format!("should be 403/404: {context}"));
        }
        for v in &values {
            if reply.body.contains(v.as_str()) || reply.body.contains(&html_escape(v)) {
                wrong.push(format!("LEAK of «{v}»: {context}"));
            }
        }
    }
    // Her own pages do show her data: the session is hers.
    let own = citizen.get("/borger/oplysninger").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(values.iter().all(|v| own.body.contains(&html_escape(v))));
    // Staff reach none of the citizen's pages: a browser is sent to the citizen's sign-in,
    // an API token is not a session at all.
    let citizen_pages = [
        "/borger/",
        "/borger/oplysninger",
        "/borger/modtagere",
        "/borger/log",
        "/borger/anmodninger",
        "/borger/samtykker",
    ];
    for (_, username) in CALLERS {
        let mut callers = vec![w.api(username).await];
        // The demo's users sign in through the forms with their authenticators (the extra
        // users would first set one up).
        if w.demo.secrets.contains_key(username) {
            callers.push(w.browser(username, password_of(username)).await);
        }
        for page in citizen_pages {
            for caller in &callers {
                let reply = caller.get(page).await;
                if reply.status != StatusCode::SEE_OTHER
                    || reply.headers[axum::http::header::LOCATION] != "/borger/login"
                {
                    wrong.push(format!("{username} {page} → {}", reply.status));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(rows.len() >= 69, "{}", rows.len());
    w.done().await;
}

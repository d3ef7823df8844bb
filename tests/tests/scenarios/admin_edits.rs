//! Administrators edit, not only create: a service type's policy edited after an order was
//! placed leaves that order on its version while a new order shows the new one; a
//! deactivated user's session and token stop at once; the last active administrator stays;
//! moving a caseworker to another unit moves the orders they reach; bad input is refused
//! with the field named and changes nothing; every change is in the history with who and
//! when; and only the administrator edits.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::World;
use crate::common::http::Reply;
use skjold_app::demo::DEMO_PASSWORD;
use skjold_store::Backend;

crate::on_both_backends!(
    a_policy_edit_leaves_placed_orders_on_their_version,
    a_deactivated_user_is_shut_out_at_once,
    the_last_active_administrator_stays,
    moving_a_caseworker_moves_the_orders_they_reach,
    bad_input_is_refused_and_changes_nothing,
    only_the_administrator_edits,
);

const MENTOR: &str = "Mentorhuset ApS";

fn ok(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

/// The part of a page from `start` to the end of the table it opens.
fn table<'a>(body: &'a str, start: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {body}"));
    let rest = &body[from..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// The row of `field` in an order page's policy table.
fn policy_row<'a>(body: &'a str, field: &str) -> &'a str {
    let t = table(body, "id=\"policy\"");
    let at = t
        .find(&format!("data-field=\"{field}\""))
        .unwrap_or_else(|| panic!("no {field} in {t}"));
    let row = &t[at..];
    &row[..row.find("</tr>").unwrap_or(row.len())]
}

/// The history API's versions of an entity.
async fn history(w: &World, path: &str) -> Vec<Value> {
    let admin = w.api("admin").await;
    ok(&admin.get(path).await)
        .as_array()
        .expect("history")
        .clone()
}

async fn a_policy_edit_leaves_placed_orders_on_their_version(backend: Backend) {
    let w = World::new(backend, 2).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[0].clone();
    w.search(&cw, &citizen).await;
    let first = w.order(&cw, citizen.id, "MENTOR", MENTOR).await;
    let placed_on = w.app.now().local_date().danish_long();

    // Ten days on, the administrator stops the automatic job goal.
    w.clock.set(crate::common::NOW.plus_seconds(10 * 86_400));
    let admin = w.api("admin").await;
    let mentor = w.service("MENTOR");
    let types = ok(&admin.get("/api/v1/service-types").await);
    let before = types
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "MENTOR")
        .expect("MENTOR")
        .clone();
    assert_eq!(before["policy_version"], 1);
    let mut policy = serde_json::Map::new();
    for r in before["rules"].as_array().expect("rules") {
        policy.insert(
            r["field"].as_str().expect("field").into(),
            r["rule"].clone(),
        );
    }
    policy.insert("job_goal".into(), json!("never"));
    let body = json!({ "name": before["name"], "description": before["description"],
        "purpose_id": before["purpose_id"], "policy": policy });
    let edited = ok(&admin
        .put_json(&format!("/api/v1/service-types/{mentor}"), &body)
        .await);
    assert_eq!(edited["policy_version"], 2);
    let changed_on = w.app.now().local_date().danish_long();
    assert_ne!(placed_on, changed_on);

    // A new order is placed under version 2: the job goal stays home.
    let second = w.order(&cw, citizen.id, "MENTOR", MENTOR).await;
    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let old = browser.get(&format!("/bestillinger/{first}")).await;
    assert_eq!(old.status, StatusCode::OK, "{}", old.body);
    assert!(
        old.body
            .contains(&format!("Politik version 1 af {placed_on}")),
        "{}",
        old.body
    );
    assert!(policy_row(&old.body, "job_goal").contains("Automatisk"));
    let new = browser.get(&format!("/bestillinger/{second}")).await;
    assert!(
        new.body
            .contains(&format!("Politik version 2 af {changed_on}")),
        "{}",
        new.body
    );
    assert!(policy_row(&new.body, "job_goal").contains("Aldrig"));
    // What left: the job goal went with the first order only.
    assert!(table(&old.body, "id=\"disclosures\"").contains("data-field=\"job_goal\""));
    assert!(!table(&new.body, "id=\"disclosures\"").contains("data-field=\"job_goal\""));

    // The supplier's page and the API say the same.
    let supplier = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let theirs = supplier
        .get(&format!("/leverandoer/bestillinger/{first}"))
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(
        theirs
            .body
            .contains(&format!("Politik version 1 af {placed_on}"))
    );
    assert!(policy_row(&theirs.body, "job_goal").contains("Automatisk"));
    let theirs = supplier
        .get(&format!("/leverandoer/bestillinger/{second}"))
        .await;
    assert!(
        theirs
            .body
            .contains(&format!("Politik version 2 af {changed_on}"))
    );
    let api = w.api("sagsbehandler").await;
    assert_eq!(
        ok(&api.get(&format!("/api/v1/orders/{first}")).await)["policy_version"],
        1
    );
    assert_eq!(
        ok(&api.get(&format!("/api/v1/orders/{second}")).await)["policy_version"],
        2
    );

    // Both versions are kept, and the history names the change, who and when.
    let versions = ok(&admin
        .get(&format!("/api/v1/service-types/{mentor}/policy-versions"))
        .await);
    let versions = versions.as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["changed_by"], "Birgitte Holm-Larsen");
    assert_eq!(versions[1]["changed_by"], "Birgitte Holm-Larsen");
    let h = history(&w, &format!("/api/v1/service-types/{mentor}/history")).await;
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[1]["changed_by"], "Birgitte Holm-Larsen");
    let changes = h[1]["changes"].as_array().expect("changes");
    assert!(
        changes.contains(
            &json!({ "field": "rule.job_goal", "before": "automatic", "after": "never" })
        )
    );
    assert!(changes.contains(&json!({ "field": "policy_version", "before": "1", "after": "2" })));
    let page = w
        .browser("admin", DEMO_PASSWORD)
        .await
        .get(&format!("/admin/ydelser/{mentor}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let hist = table(&page.body, "id=\"historik\"");
    assert!(
        hist.contains("Politik for Jobmål: Automatisk → Aldrig"),
        "{hist}"
    );
    assert!(hist.contains("Birgitte Holm-Larsen"));
    assert!(hist.contains(&w.app.now().danish()));
    assert!(page.body.contains(&format!("Version 2 af {changed_on}")));
    w.done().await;
}

async fn a_deactivated_user_is_shut_out_at_once(backend: Backend) {
    let w = World::new(backend, 1).await;
    let target = w.actor("sagsbehandler").await;
    let session = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let token = w.api("sagsbehandler").await;
    assert_eq!(session.get("/borgere").await.status, StatusCode::OK);
    assert_eq!(token.get("/api/v1/me").await.status, StatusCode::OK);

    // The administrator deactivates on the page.
    let admin = w.browser("admin", DEMO_PASSWORD).await;
    let nord = w.org("Jobcenter København Nord").to_string();
    let done = admin
        .post_form(
            &format!("/admin/brugere/{}", target.user_id),
            &[
                ("organisation_id", nord.as_str()),
                ("role", "caseworker"),
                ("active", "false"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = admin
        .get(&format!("/admin/brugere/{}?ok=deaktiveret", target.user_id))
        .await;
    assert!(shown.body.contains("Brugeren er deaktiveret."));
    assert!(
        shown.body.contains("Status: Aktiv → Deaktiveret"),
        "{}",
        shown.body
    );

    // The session and the token stop, and the password no longer signs in.
    assert_ne!(session.get("/borgere").await.status, StatusCode::OK);
    assert_eq!(
        token.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        w.app
            .sign_in(
                "sagsbehandler",
                DEMO_PASSWORD,
                &crate::common::workstation("127.0.0.1", "")
            )
            .await
            .is_err()
    );
    assert!(w.app.named_user("sagsbehandler").await.is_err());

    // Reactivated by the API: the user signs in again; the old token stays revoked.
    let api = w.api("admin").await;
    let back = ok(&api
        .patch_json(
            &format!("/api/v1/users/{}", target.user_id),
            &json!({ "active": true }),
        )
        .await);
    assert_eq!(back["active"], true);
    assert_eq!(back["role"], "caseworker");
    let again = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    assert_eq!(again.get("/borgere").await.status, StatusCode::OK);
    assert_eq!(
        token.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The history: as made, deactivated, reactivated, each by whom.
    let h = history(&w, &format!("/api/v1/users/{}/history", target.user_id)).await;
    assert_eq!(h.len(), 3, "{h:?}");
    // The demo's administrator made the user.
    assert_eq!(h[0]["changed_by"], "Birgitte Holm-Larsen");
    assert_eq!(
        h[1]["changes"],
        json!([{ "field": "active", "before": "true", "after": "false" }])
    );
    assert_eq!(
        h[2]["changes"],
        json!([{ "field": "active", "before": "false", "after": "true" }])
    );
    assert_eq!(h[1]["changed_by"], "Birgitte Holm-Larsen");
    assert_eq!(h[2]["changed_by"], "Birgitte Holm-Larsen");
    w.done().await;
}

async fn the_last_active_administrator_stays(backend: Backend) {
    let w = World::new(backend, 1).await;
    let me = w.actor("admin").await;
    let municipality = me.organisation_id.to_string();
    let browser = w.browser("admin", DEMO_PASSWORD).await;
    let path = format!("/admin/brugere/{}", me.user_id);
    let refused = browser
        .post_form(
            &path,
            &[
                ("organisation_id", municipality.as_str()),
                ("role", "caseworker"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("uden en aktiv administrator"));
    assert!(refused.body.contains("data-error-field=\"role\""));
    // The typed role is kept.
    assert!(
        refused
            .body
            .contains("<option value=\"caseworker\" selected>")
    );
    let api = w.api("admin").await;
    api.patch_json(
        &format!("/api/v1/users/{}", me.user_id),
        &json!({ "active": false }),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "last_administrator");
    // Nothing was written: the history is the user as made (by the operator at the command
    // line, so by no user), and they still administer.
    let h = history(&w, &format!("/api/v1/users/{}/history", me.user_id)).await;
    assert_eq!(h.len(), 1);
    assert!(h[0]["changed_by"].is_null());
    assert_eq!(browser.get("/admin").await.status, StatusCode::OK);

    // With a second administrator, the first may step down.
    let other = w
        .app
        .add_user(
            Some(&me),
            me.organisation_id,
            "admin2",
            "Bo Administrator",
            skjold_core::Role::Administrator,
            "en lang nok adgangskode",
        )
        .await
        .expect("second admin");
    let stepped = ok(&api
        .patch_json(
            &format!("/api/v1/users/{}", me.user_id),
            &json!({ "role": "privacy_officer" }),
        )
        .await);
    assert_eq!(stepped["role"], "privacy_officer");
    // Now the second is the last one.
    let second = w.actor("admin2").await;
    assert_refused!(
        w.app
            .edit_user(
                &second,
                other.id,
                skjold_app::directory::UserEdit {
                    organisation_id: me.organisation_id,
                    role: skjold_core::Role::Administrator,
                    active: false,
                },
            )
            .await,
        skjold_core::Problem::LastAdministrator
    );
    w.done().await;
}

async fn moving_a_caseworker_moves_the_orders_they_reach(backend: Backend) {
    let w = World::new(backend, 1).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[0].clone();
    w.search(&cw, &citizen).await;
    let order = w.order(&cw, citizen.id, "MENTOR", MENTOR).await;
    let syd = w.actor("sagsbehandler2").await;
    let syd_browser = w.browser("sagsbehandler2", DEMO_PASSWORD).await;
    let syd_token = w.api("sagsbehandler2").await;
    let nord_browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let path = format!("/bestillinger/{order}");
    assert_eq!(syd_browser.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(nord_browser.get(&path).await.status, StatusCode::OK);

    // The administrator swaps their units.
    let admin = w.api("admin").await;
    let nord = w.org("Jobcenter København Nord");
    let syd_unit = syd.organisation_id;
    ok(&admin
        .patch_json(
            &format!("/api/v1/users/{}", syd.user_id),
            &json!({ "organisation_id": nord }),
        )
        .await);
    ok(&admin
        .patch_json(
            &format!("/api/v1/users/{}", cw.user_id),
            &json!({ "organisation_id": syd_unit }),
        )
        .await);
    // The same sessions reach what their new unit reaches, at once.
    let reached = syd_browser.get(&path).await;
    assert_eq!(reached.status, StatusCode::OK, "{}", reached.body);
    assert_eq!(nord_browser.get(&path).await.status, StatusCode::NOT_FOUND);
    // An API token is issued for an organisation: it ends with the move.
    assert_eq!(
        syd_token.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let h = history(&w, &format!("/api/v1/users/{}/history", syd.user_id)).await;
    let change = &h[1]["changes"][0];
    assert_eq!(change["field"], "organisation");
    assert_eq!(change["after"], "Jobcenter København Nord");
    w.done().await;
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let w = World::new(backend, 1).await;
    let admin = w.api("admin").await;
    let browser = w.browser("admin", DEMO_PASSWORD).await;

    // An organisation: a supplier needs its CVR number; a bad one is tied to its field, and
    // the typed values stay.
    let mentor = w.org(MENTOR);
    let org_path = format!("/api/v1/organisations/{mentor}");
    admin
        .patch_json(&org_path, &json!({ "cvr": "" }))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "cvr_required");
    let page = browser
        .post_form(
            &format!("/admin/organisationer/{mentor}"),
            &[("name", "Mentorhuset Nyt Navn ApS"), ("cvr", "1234")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("data-error-field=\"cvr\""));
    assert!(page.body.contains("value=\"Mentorhuset Nyt Navn ApS\""));
    assert!(page.body.contains("value=\"1234\""));
    admin
        .patch_json(&org_path, &json!({ "name": MENTOR }))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "nothing_changed");
    assert_eq!(history(&w, &format!("{org_path}/history")).await.len(), 1);
    // A good rename is a version.
    let renamed = ok(&admin
        .patch_json(&org_path, &json!({ "name": "Mentorhuset og Co ApS" }))
        .await);
    assert_eq!(renamed["name"], "Mentorhuset og Co ApS");
    let h = history(&w, &format!("{org_path}/history")).await;
    assert_eq!(h.len(), 2);
    assert_eq!(
        h[1]["changes"],
        json!([{ "field": "name", "before": MENTOR, "after": "Mentorhuset og Co ApS" }])
    );

    // A purpose whose service type discloses health needs an art. 9 basis.
    let cw = w.actor("sagsbehandler").await;
    let me = w.actor("admin").await;
    let mentor_type = w.app.service_type(&me, w.service("MENTOR")).await;
    let purpose_id = mentor_type.expect("MENTOR").purpose_id;
    let purpose = w
        .app
        .purposes(&cw)
        .await
        .expect("purposes")
        .into_iter()
        .find(|p| p.id == purpose_id)
        .expect("purpose");
    let purpose_path = format!("/api/v1/purposes/{purpose_id}");
    let body = json!({ "name": purpose.name, "description": purpose.description,
        "art6": purpose.art6, "national_law": purpose.national_law, "retention": purpose.retention });
    admin.put_json(&purpose_path, &body).await.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "policy_special_without_art9",
    );
    let page = browser
        .post_form(
            &format!("/admin/formaal/{purpose_id}"),
            &[
                ("name", ""),
                ("description", "Ny beskrivelse"),
                ("art6", purpose.art6.as_str()),
                ("art9", purpose.art9.as_deref().unwrap_or("")),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("data-error-field=\"name\""));
    assert!(page.body.contains("Ny beskrivelse"));
    assert_eq!(
        history(&w, &format!("{purpose_path}/history")).await.len(),
        1
    );

    // A DPA cannot end before it starts; changed instructions become new terms.
    let dpa = w
        .app
        .dpas(&cw)
        .await
        .expect("dpas")
        .into_iter()
        .find(|d| d.processor_id == mentor)
        .expect("dpa");
    let dpa_path = format!("/api/v1/dpas/{}", dpa.id);
    admin
        .put_json(
            &dpa_path,
            &json!({ "reference": dpa.reference, "ends_on": "2000-01-01" }),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "dpa_dates");
    let page = browser
        .post_form(
            &format!("/admin/aftaler/{}", dpa.id),
            &[
                ("reference", "DBA-NY"),
                ("instructions", "Nye instrukser"),
                ("ends_on", "2026-13-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("data-error-field=\"ends_on\""));
    assert!(page.body.contains("value=\"DBA-NY\""));
    assert_eq!(history(&w, &format!("{dpa_path}/history")).await.len(), 1);
    let done = browser
        .post_form(
            &format!("/admin/aftaler/{}", dpa.id),
            &[
                ("reference", dpa.reference.as_str()),
                ("instructions", "Nye instrukser om mentorforløb"),
                ("ends_on", ""),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let h = history(&w, &format!("{dpa_path}/history")).await;
    assert_eq!(h.len(), 2);
    assert_eq!(
        h[1]["changes"],
        json!([{ "field": "terms_version", "before": "1", "after": "2" }])
    );
    // The processors desk has the new terms.
    let dpo = w.actor("dpo").await;
    let desk = w.app.dpa_desk(&dpo, dpa.id).await.expect("desk");
    let latest = desk
        .versions
        .iter()
        .max_by_key(|v| v.version)
        .expect("terms");
    assert_eq!(latest.terms.instructions, "Nye instrukser om mentorforløb");
    w.done().await;
}

async fn only_the_administrator_edits(backend: Backend) {
    let w = World::new(backend, 1).await;
    let target = w.actor("sagsbehandler2").await;
    let mentor_type = w.service("MENTOR");
    for who in ["sagsbehandler", "mentorhuset", "dpo", "revisor"] {
        let api = w.api(who).await;
        let reply = api
            .patch_json(
                &format!("/api/v1/users/{}", target.user_id),
                &json!({ "active": false }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who}: {}", reply.body);
        let reply = api
            .get(&format!("/api/v1/service-types/{mentor_type}/history"))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who}");
        let browser = w.browser(who, DEMO_PASSWORD).await;
        let page = browser
            .get(&format!("/admin/brugere/{}", target.user_id))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}");
    }
    // Nothing changed: the user is active, with only the state as made in the history.
    assert!(w.app.named_user("sagsbehandler2").await.is_ok());
    let h = history(&w, &format!("/api/v1/users/{}/history", target.user_id)).await;
    assert_eq!(h.len(), 1);
    // A user that is not there is not found.
    let admin = w.api("admin").await;
    admin
        .patch_json(
            &format!("/api/v1/users/{}", Uuid::new_v4()),
            &json!({ "active": false }),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "user_not_found");
    w.done().await;
}

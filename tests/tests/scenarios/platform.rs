//! Scenario tests, one per user story of the supplier platform, on SQLite and PostgreSQL.

use crate::common::World;
use skjold_app::AppError;
use skjold_app::catalogue::{PurposeInput, ServiceTypeInput};
use skjold_app::oversight::OversightQuery;
use skjold_core::FieldKey;
use skjold_core::OrgKind;
use skjold_core::disclosures::DisclosureKind;
use skjold_core::orders::NewOrder;
use skjold_store::Backend;

crate::on_both_backends!(
    administrator_sets_up_the_platform,
    caseworker_orders_and_discloses_only_what_the_service_needs,
    supplier_sees_only_its_own_disclosed_data,
    privacy_officer_follows_every_disclosure_and_access,
    bad_input_changes_nothing,
);

fn code(e: AppError) -> &'static str {
    e.code()
}

async fn administrator_sets_up_the_platform(backend: Backend) {
    let w = World::new(backend, 3).await;
    let admin = w.actor("admin").await;
    let unit = w
        .app
        .create_organisation(Some(&admin), OrgKind::Unit, None, "Jobcenter Amager", None)
        .await
        .expect("unit");
    assert_eq!(unit.parent_id, Some(w.demo.municipality_id));
    let supplier = w
        .app
        .create_organisation(
            Some(&admin),
            OrgKind::Supplier,
            None,
            "Nyt Forløb ApS",
            Some("29403473"),
        )
        .await
        .expect("supplier");
    assert_eq!(supplier.cvr.as_deref(), Some("29403473"));
    let bad_cvr = w
        .app
        .create_organisation(
            Some(&admin),
            OrgKind::Supplier,
            None,
            "Forkert ApS",
            Some("12345678"),
        )
        .await;
    assert_eq!(bad_cvr.map_err(code).err(), Some("cvr_checksum"));
    let no_cvr = w
        .app
        .create_organisation(Some(&admin), OrgKind::Supplier, None, "Uden CVR ApS", None)
        .await;
    assert_eq!(no_cvr.map_err(code).err(), Some("cvr_required"));

    let user = w
        .app
        .add_user(
            Some(&admin),
            supplier.id,
            "nyt.forloeb",
            "Karen Nyt",
            skjold_core::Role::SupplierUser,
            "en god lang adgangskode",
        )
        .await
        .expect("user");
    let first = w.sign_in("nyt.forloeb", "en god lang adgangskode").await;
    assert_eq!(first.actor.user_id, user.id);
    assert_eq!(user.role, skjold_core::Role::SupplierUser);
    let wrong_side = w
        .app
        .add_user(
            Some(&admin),
            supplier.id,
            "forkert",
            "X",
            skjold_core::Role::Caseworker,
            "en god lang adgangskode",
        )
        .await;
    assert_eq!(
        wrong_side.map_err(code).err(),
        Some("role_organisation_mismatch")
    );

    let purpose = w
        .app
        .create_purpose(
            &admin,
            &PurposeInput {
                name: "Jobrettet uddannelse".into(),
                description: String::new(),
                art6: "6.1.e".into(),
                art9: None,
                national_law: "LAB § 32".into(),
                retention: "5 år".into(),
                automated_decision: String::new(),
            },
        )
        .await
        .expect("purpose");
    let st = w
        .app
        .create_service_type(
            &admin,
            &ServiceTypeInput {
                code: "TRUCK".into(),
                name: "Truckcertifikat".into(),
                description: String::new(),
                purpose_id: purpose.id,
                policy: [("name".to_owned(), "automatic".to_owned())].into(),
            },
        )
        .await
        .expect("service type");
    // Contact data defaults to "on justified request", everything unnamed to "never".
    let policy = st.policy();
    assert_eq!(
        policy.rule(FieldKey::Address),
        skjold_core::DisclosureRule::OnJustifiedRequest
    );
    assert_eq!(
        policy.rule(FieldKey::Health),
        skjold_core::DisclosureRule::Never
    );
    for (field, rule, expected) in [
        ("phone", "automatic", "policy_contact_automatic"),
        (
            "health",
            "on_justified_request",
            "policy_special_without_art9",
        ),
        ("nonsense", "automatic", "unknown_field"),
        ("name", "sometimes", "bad_rule"),
    ] {
        let r = w
            .app
            .create_service_type(
                &admin,
                &ServiceTypeInput {
                    code: format!("X-{field}"),
                    name: "Forkert".into(),
                    description: String::new(),
                    purpose_id: purpose.id,
                    policy: [(field.to_owned(), rule.to_owned())].into(),
                },
            )
            .await;
        assert_eq!(r.map_err(code).err(), Some(expected), "{field}={rule}");
    }
    assert_eq!(w.app.service_types(&admin).await.expect("list").len(), 9);

    // Only administrators administer.
    let cw = w.actor("sagsbehandler").await;
    let r = w
        .app
        .create_organisation(
            Some(&cw),
            OrgKind::Supplier,
            None,
            "Snyd ApS",
            Some("29403473"),
        )
        .await;
    assert_eq!(r.map_err(code).err(), Some("role_not_allowed"));
    w.done().await;
}

async fn caseworker_orders_and_discloses_only_what_the_service_needs(backend: Backend) {
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[5].clone();
    w.search(&cw, &citizen).await;

    // Find by CPR, with or without the dash.
    let found = w
        .app
        .find_citizen(&cw, &citizen.cpr.digits())
        .await
        .expect("found");
    assert_eq!(found, citizen.id);
    assert_eq!(
        w.app
            .find_citizen(&cw, &citizen.cpr.formatted())
            .await
            .expect("found"),
        citizen.id
    );
    let view = w.app.citizen(&cw, found).await.expect("view");
    assert_eq!(view.value(FieldKey::Name), Some(citizen.name.as_str()));
    assert_eq!(
        view.value(FieldKey::Cpr),
        Some(citizen.cpr.formatted().as_str())
    );
    assert!(skjold_core::Category::ALL.iter().all(|c| {
        view.data.iter().any(|d| {
            d.field.category() == *c
                || *c == skjold_core::Category::Health && d.field == FieldKey::Health
        })
    }));

    // The preview shows exactly what goes automatically.
    let order = NewOrder {
        subject_id: found,
        service_type_id: w.service("MENTOR"),
        supplier_id: w.org("Mentorhuset ApS"),
    };
    let preview = w.app.preview_order(&cw, order).await.expect("preview");
    assert_eq!(
        preview.plan.automatic,
        vec![
            FieldKey::Name,
            FieldKey::TargetGroup,
            FieldKey::JobGoal,
            FieldKey::LanguageSkills
        ]
    );
    assert!(preview.plan.on_request.contains(&FieldKey::Health));
    assert!(preview.plan.on_request.contains(&FieldKey::Address));
    assert!(preview.plan.never.contains(&FieldKey::CriminalRecord));

    let order_id = w
        .app
        .place_order(&cw, order, &w.content("MENTOR"), None)
        .await
        .expect("order");
    let ov = w
        .app
        .caseworker_order(&cw, order_id)
        .await
        .expect("order view");
    let disclosed: Vec<FieldKey> = ov.disclosures.iter().filter_map(|d| d.field).collect();
    assert_eq!(disclosed, preview.plan.automatic);
    assert!(
        ov.disclosures
            .iter()
            .filter(|d| d.field.is_some())
            .all(|d| d.kind == DisclosureKind::Automatic && d.justification.is_none())
    );
    // Beside the fields, the order's content went as free text, like a message.
    assert_eq!(
        ov.disclosures
            .iter()
            .filter(|d| d.field.is_none() && d.kind == DisclosureKind::Message)
            .count(),
        1
    );
    assert_eq!(ov.citizen_name.as_deref(), Some(citizen.name.as_str()));
    assert!(ov.disclosable.contains(&FieldKey::Health));
    assert_eq!(ov.order.caseworker_name, cw.display_name);

    // LP-4: one more field, with a justification.
    let why = "Mentoren skal kende skånehensyn for at planlægge forløbet";
    w.app
        .disclose(&cw, order_id, "health", why)
        .await
        .expect("manual disclosure");
    let ov = w
        .app
        .caseworker_order(&cw, order_id)
        .await
        .expect("order view");
    let manual: Vec<_> = ov
        .disclosures
        .iter()
        .filter(|d| d.kind == DisclosureKind::Manual)
        .collect();
    assert_eq!(manual.len(), 1);
    assert_eq!(manual[0].field, Some(FieldKey::Health));
    assert_eq!(manual[0].justification.as_deref(), Some(why));
    assert_eq!(manual[0].decided_by, cw.display_name);
    assert!(!ov.disclosable.contains(&FieldKey::Health));
    let again = w.app.disclose(&cw, order_id, "health", why).await;
    assert_eq!(again.map_err(code).err(), Some("field_already_disclosed"));

    // A caseworker in the other unit of the same municipality steps in only with a
    // written reason (a stand-in access).
    let cw2 = w.actor("sagsbehandler2").await;
    let refused = w.app.caseworker_order(&cw2, order_id).await;
    assert_eq!(refused.map_err(code).err(), Some("order_not_found"));
    w.app
        .open_stand_in(&cw2, order_id, "Kollegaen er syg i dag")
        .await
        .expect("stand-in");
    assert!(w.app.caseworker_order(&cw2, order_id).await.is_ok());

    w.app.close_order(&cw, order_id).await.expect("close");
    let closed = w.app.disclose(&cw, order_id, "address", why).await;
    assert_eq!(closed.map_err(code).err(), Some("order_closed"));
    assert!(
        w.app
            .orders(&cw, &Default::default())
            .await
            .expect("orders")
            .entries
            .iter()
            .any(|o| o.order.id == order_id)
    );
    w.done().await;
}

async fn supplier_sees_only_its_own_disclosed_data(backend: Backend) {
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[4].clone();
    w.search(&cw, &citizen).await;
    let order_id = w
        .order(&cw, citizen.id, "PRAKTIK", "Praktikpartner A/S")
        .await;
    w.app
        .disclose(
            &cw,
            order_id,
            "cpr",
            "Praktikværten skal indberette praktikken til forsikringen",
        )
        .await
        .expect("cpr");

    let supplier = w.actor("praktikpartner").await;
    let list = w
        .app
        .orders(&supplier, &Default::default())
        .await
        .expect("list");
    assert!(list.entries.iter().any(|o| o.order.id == order_id));
    let view = w
        .app
        .supplier_order(&supplier, order_id)
        .await
        .expect("view");
    let fields: Vec<FieldKey> = view.fields.iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        vec![
            FieldKey::Name,
            FieldKey::JobGoal,
            FieldKey::WorkExperience,
            FieldKey::Education,
            FieldKey::Cpr
        ]
    );
    assert_eq!(view.fields[0].value, citizen.name);
    assert_eq!(view.fields[4].value, citizen.cpr.formatted());
    assert_eq!(view.order.caseworker_name, cw.display_name);
    let shown = serde_json::to_string(&view).expect("json");
    for secret in [&citizen.address, &citizen.phone, &citizen.email] {
        assert!(!shown.contains(secret.as_str()), "undisclosed value leaked");
    }

    // Another supplier: nothing, and the attempt is logged as refused.
    let other = w.actor("mentorhuset").await;
    assert!(
        !w.app
            .orders(&other, &Default::default())
            .await
            .expect("list")
            .entries
            .iter()
            .any(|o| o.order.id == order_id)
    );
    assert_eq!(
        w.app
            .supplier_order(&other, order_id)
            .await
            .map_err(code)
            .err(),
        Some("order_not_found")
    );
    let dpo = w.actor("dpo").await;
    let denied = w
        .app
        .access_log(
            &dpo,
            &OversightQuery {
                username: Some("mentorhuset".into()),
                ..Default::default()
            },
        )
        .await
        .expect("log")
        .entries;
    assert!(denied.iter().any(|e| !e.allowed));

    // The supplier with an expired DPA sees none of its orders, even old ones.
    let expired = w.actor("kompetencecentret").await;
    assert!(
        w.app
            .orders(&expired, &Default::default())
            .await
            .expect("list")
            .entries
            .is_empty()
    );
    let no_dpa = w
        .app
        .place_order(
            &cw,
            NewOrder {
                subject_id: citizen.id,
                service_type_id: w.service("OPKVAL"),
                supplier_id: w.org("Kompetencecentret Øst ApS"),
            },
            &w.content("OPKVAL"),
            None,
        )
        .await;
    assert_eq!(no_dpa.map_err(code).err(), Some("no_dpa_in_force"));
    w.done().await;
}

async fn privacy_officer_follows_every_disclosure_and_access(backend: Backend) {
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let citizen = w.demo.citizens[3].clone();

    let before = w.log_count().await;
    w.app.citizen(&cw, citizen.id).await.expect("view");
    // One entry for the view, one for the log read in between.
    assert_eq!(w.log_count().await, before + 2);

    let by_cpr = OversightQuery {
        cpr: Some(citizen.cpr.formatted()),
        ..Default::default()
    };
    let entries = w.app.access_log(&dpo, &by_cpr).await.expect("log").entries;
    assert!(entries.iter().any(
        |e| e.username.as_deref() == Some("sagsbehandler") && e.subject_id == Some(citizen.id)
    ));
    assert!(entries.iter().all(|e| e.subject_id == Some(citizen.id)));

    // The demo's first orders are in the ledger, with the manual one's justification.
    let ledger = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries;
    assert!(
        ledger
            .iter()
            .any(|l| l.kind == DisclosureKind::Manual && l.justification.is_some())
    );
    let for_mentor = w
        .app
        .ledger(
            &dpo,
            &OversightQuery {
                organisation: Some(w.org("Mentorhuset ApS")),
                ..Default::default()
            },
        )
        .await
        .expect("ledger")
        .entries;
    assert!(!for_mentor.is_empty());
    assert!(
        for_mentor
            .iter()
            .all(|l| l.supplier_name == "Mentorhuset ApS")
    );
    let future = OversightQuery {
        from: Some("2030-01-01".into()),
        ..Default::default()
    };
    assert!(
        w.app
            .ledger(&dpo, &future)
            .await
            .expect("ledger")
            .entries
            .is_empty()
    );

    // Reading the ledger logs one entry per citizen it showed.
    let shown: std::collections::BTreeSet<_> = ledger.iter().map(|l| l.subject_id).collect();
    let oversight = w
        .app
        .access_log(
            &dpo,
            &OversightQuery {
                username: Some("dpo".into()),
                ..Default::default()
            },
        )
        .await
        .expect("log")
        .entries;
    let logged: std::collections::BTreeSet<_> = oversight
        .iter()
        .filter(|e| {
            e.use_kind == skjold_core::oversight::UseKind::Oversight
                && e.detail.starts_with("Videregivelsesloggen")
        })
        .filter_map(|e| e.subject_id)
        .collect();
    assert!(
        shown.is_subset(&logged),
        "every citizen in the ledger view is logged"
    );

    // The auditor reads too; a caseworker and a supplier cannot.
    let auditor = w.actor("revisor").await;
    assert!(
        w.app
            .ledger(&auditor, &OversightQuery::default())
            .await
            .is_ok()
    );
    for who in ["sagsbehandler", "mentorhuset", "admin"] {
        let a = w.actor(who).await;
        assert_eq!(
            w.app
                .ledger(&a, &OversightQuery::default())
                .await
                .map_err(code)
                .err(),
            Some("role_not_allowed"),
            "{who}"
        );
    }
    // The ledger and the log refuse edits at the database.
    assert!(sqlx_update_refused(&w).await);
    w.done().await;
}

async fn sqlx_update_refused(w: &World) -> bool {
    use skjold_store::Db;
    let mut refused = true;
    for sql in [
        "UPDATE disclosure SET justification = 'ændret'",
        "DELETE FROM disclosure",
        "UPDATE access_log SET detail = 'ændret'",
        "DELETE FROM access_log",
    ] {
        let result = match w.db.db() {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        };
        refused &= result.is_err();
    }
    refused
}

async fn bad_input_changes_nothing(backend: Backend) {
    let w = World::new(backend, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[1].clone();
    w.search(&cw, &citizen).await;
    let dpo = w.actor("dpo").await;
    let ledger_before = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries
        .len();
    let orders_before = w
        .app
        .orders(&cw, &Default::default())
        .await
        .expect("orders")
        .total;

    for (cpr, expected) in [
        ("12345", "cpr_format"),
        ("320190-1234", "cpr_impossible_date"),
        ("0101305000", "cpr_future_date"),
    ] {
        assert_eq!(
            w.app.find_citizen(&cw, cpr).await.map_err(code).err(),
            Some(expected),
            "{cpr}"
        );
    }
    let unknown_service = NewOrder {
        subject_id: citizen.id,
        service_type_id: uuid::Uuid::new_v4(),
        supplier_id: w.org("Mentorhuset ApS"),
    };
    assert_eq!(
        w.app
            .place_order(&cw, unknown_service, &w.content("MENTOR"), None)
            .await
            .map_err(code)
            .err(),
        Some("service_type_not_found")
    );
    let expired = NewOrder {
        subject_id: citizen.id,
        service_type_id: w.service("MENTOR"),
        supplier_id: w.org("Kompetencecentret Øst ApS"),
    };
    assert_eq!(
        w.app
            .place_order(&cw, expired, &w.content("MENTOR"), None)
            .await
            .map_err(code)
            .err(),
        Some("no_dpa_in_force")
    );
    let not_supplier = NewOrder {
        subject_id: citizen.id,
        service_type_id: w.service("MENTOR"),
        supplier_id: w.org("Jobcenter København Syd"),
    };
    assert_eq!(
        w.app
            .place_order(&cw, not_supplier, &w.content("MENTOR"), None)
            .await
            .map_err(code)
            .err(),
        Some("not_a_supplier")
    );

    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    let placed_ledger = w
        .app
        .ledger(&dpo, &OversightQuery::default())
        .await
        .expect("ledger")
        .entries
        .len();
    let why = "En fyldestgørende begrundelse for videregivelsen";
    assert_eq!(
        w.app
            .disclose(&cw, order, "criminal_record", why)
            .await
            .map_err(code)
            .err(),
        Some("field_never_disclosed")
    );
    assert_eq!(
        w.app
            .disclose(&cw, order, "health", "")
            .await
            .map_err(code)
            .err(),
        Some("justification_required")
    );
    assert_eq!(
        w.app
            .disclose(&cw, order, "health", "   kort   ")
            .await
            .map_err(code)
            .err(),
        Some("justification_required")
    );
    assert_eq!(
        w.app
            .disclose(&cw, order, "name", why)
            .await
            .map_err(code)
            .err(),
        Some("field_already_disclosed")
    );
    assert_eq!(
        w.app
            .disclose(&cw, order, "shoe_size", why)
            .await
            .map_err(code)
            .err(),
        Some("unknown_field")
    );
    let supplier = w.actor("mentorhuset").await;
    assert_eq!(
        w.app
            .disclose(&supplier, order, "health", why)
            .await
            .map_err(code)
            .err(),
        Some("role_not_allowed")
    );
    assert_eq!(
        w.app
            .ledger(&dpo, &OversightQuery::default())
            .await
            .expect("ledger")
            .entries
            .len(),
        placed_ledger
    );
    assert_eq!(
        w.app
            .orders(&cw, &Default::default())
            .await
            .expect("orders")
            .total,
        orders_before + 1
    );
    assert!(placed_ledger > ledger_before);
    w.done().await;
}

//! The order lists, both sides: the citizen shown (and each citizen shown logged once),
//! filters and position in the address (never a CPR number), stable pages while orders
//! arrive, unread markers that fall once read, and no order of another unit or supplier.

use axum::http::{StatusCode, header};
use skjold_app::catalogue::ServiceTypeInput;
use skjold_app::demo::DEMO_PASSWORD;
use skjold_core::orders::{CitizenShown, OrderFilter, OrderStatus};
use skjold_core::paging::Cursor;
use skjold_store::Backend;
use uuid::Uuid;

use crate::common::World;

crate::on_both_backends!(
    a_page_logs_each_citizen_shown_once_and_pages_stably,
    the_caseworker_list_carries_filters_but_no_cpr_number,
    suppliers_see_their_own_orders_and_only_names_disclosed_to_them,
    unread_markers_fall_once_read,
);

/// Orders `n` more MENTOR orders from Mentorhuset, one a second, over the first
/// `citizens` citizens; their ids, oldest first.
async fn orders(w: &World, n: usize, citizens: usize) -> Vec<Uuid> {
    let cw = w.actor("sagsbehandler").await;
    let mut ids = Vec::new();
    for i in 0..n {
        let c = w.demo.citizens[i % citizens].clone();
        w.search(&cw, &c).await;
        w.clock.set(w.app.now().plus_seconds(1));
        ids.push(w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await);
    }
    ids
}

async fn a_page_logs_each_citizen_shown_once_and_pages_stably(backend: Backend) {
    let w = World::new(backend, 6).await;
    orders(&w, 20, 3).await;
    let cw = w.actor("sagsbehandler").await;

    // A page of orders of three citizens: three entries, one per citizen shown.
    let before = w.log_count().await;
    let page = w
        .app
        .orders(
            &cw,
            &OrderFilter {
                limit: 9,
                ..OrderFilter::default()
            },
        )
        .await
        .expect("page");
    assert_eq!(page.entries.len(), 9);
    let names: Vec<&str> = page
        .entries
        .iter()
        .filter_map(|r| r.citizen.name())
        .collect();
    assert_eq!(names.len(), 9, "every citizen by name");
    for n in &names {
        assert!(w.demo.citizens[..3].iter().any(|c| c.name == *n), "{n}");
    }
    assert_eq!(
        w.log_count().await - before - 1,
        3,
        "one entry per citizen shown, not per row"
    );

    // Pages stay stable while orders arrive at the top.
    let mut seen: Vec<(i64, Uuid)> = Vec::new();
    let mut after: Option<Cursor> = None;
    let mut total = None;
    let mut arrived = 0;
    loop {
        let page = w
            .app
            .orders(
                &cw,
                &OrderFilter {
                    after,
                    limit: 7,
                    ..OrderFilter::default()
                },
            )
            .await
            .expect("page");
        assert!(page.entries.len() <= 7);
        assert_eq!(*total.get_or_insert(page.total) + arrived, page.total);
        seen.extend(
            page.entries
                .iter()
                .map(|r| (r.order.created_at.micros(), r.order.id)),
        );
        orders(&w, 1, 3).await;
        arrived += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let total = usize::try_from(total.expect("a page")).expect("count");
    assert!(total >= 20);
    assert_eq!(seen.len(), total, "every order once, none skipped");
    assert!(
        seen.windows(2)
            .all(|p| p[0].0 > p[1].0 || (p[0].0 == p[1].0 && p[0].1 > p[1].1)),
        "newest first, then by id, descending"
    );

    // Filters narrow: status, reference (its beginning), citizen.
    let one = &page.entries[0].order;
    let by_reference = w
        .app
        .orders(
            &cw,
            &OrderFilter {
                reference: Some(one.reference[..6].to_owned()),
                ..OrderFilter::default()
            },
        )
        .await
        .expect("page");
    assert!(by_reference.entries.iter().any(|r| r.order.id == one.id));
    assert!(
        by_reference
            .entries
            .iter()
            .all(|r| r.order.reference.starts_with(&one.reference[..6]))
    );
    let closed = w
        .app
        .orders(
            &cw,
            &OrderFilter {
                status: Some(OrderStatus::Closed),
                ..OrderFilter::default()
            },
        )
        .await
        .expect("page");
    assert!(
        closed
            .entries
            .iter()
            .all(|r| r.order.status == OrderStatus::Closed)
    );

    // Another unit's caseworker sees none of the unit's orders, and no name is logged.
    let other = w.actor("sagsbehandler2").await;
    let before = w.log_count().await;
    let theirs = w
        .app
        .orders(&other, &OrderFilter::default())
        .await
        .expect("page");
    assert!(
        theirs
            .entries
            .iter()
            .all(|r| r.order.unit_id != cw.organisation_id)
    );
    assert_eq!(theirs.total, 0);
    assert_eq!(w.log_count().await - before - 1, 0);
    // Roles without a list are refused.
    let dpo = w.actor("dpo").await;
    assert!(w.app.orders(&dpo, &OrderFilter::default()).await.is_err());
    w.done().await;
}

async fn the_caseworker_list_carries_filters_but_no_cpr_number(backend: Backend) {
    let w = World::new(backend, 6).await;
    orders(&w, 30, 4).await;
    let mentor = w.service("MENTOR");
    let cw = w.browser("sagsbehandler", DEMO_PASSWORD).await;

    // 25 to a page, the citizen by name, each citizen shown logged once.
    let before = w.log_count().await;
    let first = cw.get("/bestillinger").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(w.log_count().await - before - 1, 4, "four citizens shown");
    assert!(first.body.contains("side 1"));
    assert_eq!(
        first.body.matches("<tr").count(),
        26,
        "a header and 25 rows"
    );
    assert!(first.body.contains(&w.demo.citizens[0].name));
    assert!(first.body.contains("table--responsive-scroll"));

    // The filters ride along in the paging links.
    let filtered = cw
        .get(&format!("/bestillinger?status=open&service={mentor}"))
        .await;
    assert_eq!(filtered.status, StatusCode::OK);
    let next = link(&filtered.body, "Næste side");
    assert!(next.contains("status=open"), "{next}");
    assert!(next.contains(&format!("service={mentor}")), "{next}");
    let second = cw.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("side 2"));
    assert!(second.body.contains("Første side"));

    // A CPR number is posted and becomes the citizen's id in the address.
    let citizen = w.demo.citizens[1].clone();
    let cpr = citizen.cpr.formatted();
    let digits: String = cpr.chars().filter(char::is_ascii_digit).collect();
    let found = cw
        .post_form(
            "/bestillinger/soeg",
            &[("cpr", cpr.as_str()), ("status", "open")],
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
    let to = found.headers[header::LOCATION].to_str().expect("location");
    assert!(to.contains(&format!("subject={}", citizen.id)), "{to}");
    assert!(to.contains("status=open"), "{to}");
    assert!(!to.contains(&digits) && !to.contains(&cpr), "{to}");
    let one = cw.get(to).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("Kun én borgers bestillinger vises"));
    assert!(one.body.contains(&citizen.name));
    assert!(!one.body.contains(&w.demo.citizens[0].name));
    for href in one.body.split("href=\"").skip(1) {
        let href = &href[..href.find('"').unwrap_or(0)];
        assert!(!href.contains(&digits), "{href}");
    }
    // A malformed number keeps what was typed and says why.
    let bad = cw
        .post_form(
            "/bestillinger/soeg",
            &[("cpr", "12345"), ("reference", "B-")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"12345\""));
    assert!(bad.body.contains("data-error-field=\"cpr\""));
    assert!(bad.body.contains("CPR-nummeret skal have 10 cifre"));
    assert!(bad.body.contains("value=\"B-\""));
    // A malformed filter in the address is refused in Danish, the value kept.
    let odd = cw.get("/bestillinger?reference=B-1%25").await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(odd.body.contains("Bestillingsnummeret må kun indeholde"));
    assert!(odd.body.contains("data-error-field=\"reference\""));
    assert!(odd.body.contains("value=\"B-1%\""));
    let odd = cw.get("/bestillinger?status=gone").await;
    assert!(odd.body.contains("Ukendt status"));
    let odd = cw.get("/bestillinger?after=nonsense").await;
    assert!(odd.body.contains("sideposition"));

    // The start page shows the first page, by name, and leads to the list.
    let start = cw.get("/borgere").await;
    assert!(start.body.contains(&w.demo.citizens[0].name));
    assert!(start.body.contains("href=\"/bestillinger\""));
    let next = link(&start.body, "Næste side");
    assert!(next.starts_with("/bestillinger?"), "{next}");

    // The other unit's caseworker sees none of it, in pages or the API.
    let other = w.browser("sagsbehandler2", DEMO_PASSWORD).await;
    let theirs = other.get("/bestillinger").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("Ingen bestillinger"));
    for c in &w.demo.citizens {
        assert!(!theirs.body.contains(&c.name));
    }
    let api = w.api("sagsbehandler2").await;
    let theirs = api.get("/api/v1/orders").await;
    assert_eq!(theirs.json()["total"], 0);

    // The API pages the same way.
    let api = w.api("sagsbehandler").await;
    let page = api.get("/api/v1/orders?limit=5&status=open").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let json = page.json();
    assert_eq!(json["orders"].as_array().map(Vec::len), Some(5));
    assert_eq!(json["orders"][0]["citizen"]["shown"], "name");
    assert_eq!(json["total_capped"], false);
    let next = json["next"].as_str().expect("next").to_owned();
    let page2 = api
        .get(&format!("/api/v1/orders?limit=5&status=open&after={next}"))
        .await;
    assert_ne!(page2.json()["orders"][0]["id"], json["orders"][0]["id"]);
    let bad = api.get("/api/v1/orders?status=gone").await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "bad_order_status");
    w.done().await;
}

async fn suppliers_see_their_own_orders_and_only_names_disclosed_to_them(backend: Backend) {
    let w = World::new(backend, 6).await;
    let admin = w.actor("admin").await;
    let cw = w.actor("sagsbehandler").await;
    // A service whose policy does not disclose the name.
    let purpose = w.app.purposes(&admin).await.expect("purposes")[0].id;
    let st = w
        .app
        .create_service_type(
            &admin,
            &ServiceTypeInput {
                code: "ANONYM".into(),
                name: "Anonym rådgivning".into(),
                description: String::new(),
                purpose_id: purpose,
                policy: [("job_goal".to_owned(), "automatic".to_owned())].into(),
            },
        )
        .await
        .expect("service type");
    let hidden = w.demo.citizens[4].clone();
    w.search(&cw, &hidden).await;
    w.clock.set(w.app.now().plus_seconds(1));
    // Mentorhuset's agreement covers the new service too.
    let dpa = w
        .app
        .dpas(&admin)
        .await
        .expect("dpas")
        .into_iter()
        .find(|d| d.processor_id == w.org("Mentorhuset ApS"))
        .expect("Mentorhuset's DPA");
    let mut covered = dpa.service_type_ids.clone();
    covered.push(st.id);
    w.app
        .set_dpa_coverage(&admin, dpa.id, &covered)
        .await
        .expect("coverage");
    let anonymous = w
        .app
        .place_order(
            &cw,
            skjold_core::orders::NewOrder {
                subject_id: hidden.id,
                service_type_id: st.id,
                supplier_id: w.org("Mentorhuset ApS"),
            },
            &w.content("MENTOR"),
            None,
        )
        .await
        .expect("order");
    let named = w.demo.citizens[5].clone();
    w.search(&cw, &named).await;
    w.clock.set(w.app.now().plus_seconds(1));
    w.order(&cw, named.id, "MENTOR", "Mentorhuset ApS").await;
    let other = w.demo.citizens[3].clone();
    w.search(&cw, &other).await;
    w.order(&cw, other.id, "PRAKTIK", "Praktikpartner A/S")
        .await;

    let supplier = w.actor("mentorhuset").await;
    let page = w
        .app
        .orders(&supplier, &OrderFilter::default())
        .await
        .expect("page");
    let row = |id: Uuid| page.entries.iter().find(|r| r.order.id == id);
    assert_eq!(
        row(anonymous).expect("listed").citizen,
        CitizenShown::NotDisclosed
    );
    assert!(
        page.entries
            .iter()
            .all(|r| r.order.supplier_id == supplier.organisation_id),
        "only its own orders"
    );
    assert!(
        page.entries
            .iter()
            .any(|r| r.citizen.name() == Some(named.name.as_str()))
    );

    let before = w.log_count().await;
    let mentor = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let list = mentor.get("/leverandoer").await;
    assert_eq!(list.status, StatusCode::OK);
    let shown: Vec<&str> = page
        .entries
        .iter()
        .filter_map(|r| r.citizen.name())
        .collect();
    let mut distinct = shown.clone();
    distinct.sort_unstable();
    distinct.dedup();
    // Signing in is logged apart from the access log; the page logs the names it shows.
    assert_eq!(w.log_count().await - before - 1, distinct.len());
    assert!(list.body.contains(&named.name));
    assert!(!list.body.contains(&hidden.name), "a name not disclosed");
    assert!(list.body.contains("ikke videregivet"));
    assert!(!list.body.contains(&other.name), "another supplier's order");
    assert!(!list.body.contains("Virksomhedspraktik"));
    // The filters work on the supplier's side too, in the address.
    let by_service = mentor.get(&format!("/leverandoer?service={}", st.id)).await;
    assert!(by_service.body.contains("ikke videregivet"));
    assert!(!by_service.body.contains(&named.name));

    // The other supplier sees none of Mentorhuset's orders.
    let praktik = w.browser("praktikpartner", DEMO_PASSWORD).await;
    let theirs = praktik.get("/leverandoer").await;
    assert!(theirs.body.contains(&other.name));
    assert!(!theirs.body.contains(&named.name));
    assert!(!theirs.body.contains("Anonym rådgivning"));
    // The supplier whose DPA ended lists nothing open.
    let ended = w.actor("kompetencecentret").await;
    let gone = w
        .app
        .orders(&ended, &OrderFilter::default())
        .await
        .expect("page");
    assert!(
        gone.entries
            .iter()
            .all(|r| r.order.status == OrderStatus::Closed)
    );
    let api = w.api("mentorhuset").await;
    let json = api.get("/api/v1/orders").await.json();
    let entry = json["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["id"] == anonymous.to_string())
        .cloned()
        .expect("listed");
    assert_eq!(entry["citizen"]["shown"], "not_disclosed");
    assert!(entry["citizen"]["name"].is_null());
    w.done().await;
}

async fn unread_markers_fall_once_read(backend: Backend) {
    let w = World::new(backend, 6).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[5].clone();
    w.search(&cw, &citizen).await;
    w.clock.set(w.app.now().plus_seconds(1));
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    let supplier = w.actor("mentorhuset").await;
    w.app
        .send_message(&supplier, order, "Vi har aftalt første møde.", None)
        .await
        .expect("message");
    w.app
        .send_message(&supplier, order, "Mødet er flyttet en time.", None)
        .await
        .expect("message");

    let browser = w.browser("sagsbehandler", DEMO_PASSWORD).await;
    let page = browser.get("/bestillinger?unread=1").await;
    assert!(page.body.contains("2 ulæste beskeder"), "{}", page.body);
    assert_eq!(page.body.matches("<tr").count(), 2, "only the unread order");
    assert!(page.body.contains("id=\"unread\" name=\"unread\" type=\"checkbox\" value=\"1\" class=\"form-checkbox\" checked"));

    // The caseworker reads the thread: the marker goes, and so does the order from the
    // "kun ulæste" list.
    w.app.thread(&cw, order).await.expect("thread");
    let page = browser.get("/bestillinger?unread=1").await;
    assert!(!page.body.contains("ulæste beskeder"));
    assert!(page.body.contains("Ingen bestillinger passer til filtrene"));
    let row = |p: &skjold_core::paging::Page<skjold_core::orders::OrderListRow>| {
        p.entries
            .iter()
            .find(|r| r.order.id == order)
            .map(|r| (r.unread_messages, r.open_requests, r.unread_decisions))
    };

    // A data request waits for the caseworker's decision.
    let request = w
        .app
        .request_data(
            &supplier,
            order,
            &["address".into()],
            "Mentoren skal mødes med borgeren i hjemmet første gang",
        )
        .await
        .expect("request");
    let page = browser.get("/bestillinger?unread=1").await;
    assert!(page.body.contains("1 anmodning afventer din afgørelse"));
    let mine = w
        .app
        .orders(&cw, &OrderFilter::default())
        .await
        .expect("page");
    assert_eq!(row(&mine), Some((1, 1, 0)), "the request is a message too");
    let theirs = w
        .app
        .orders(&supplier, &OrderFilter::default())
        .await
        .expect("page");
    assert_eq!(row(&theirs), Some((0, 1, 0)));
    let supplier_page = w
        .browser("mentorhuset", DEMO_PASSWORD)
        .await
        .get("/leverandoer")
        .await;
    assert!(supplier_page.body.contains("1 anmodning afventer kommunen"));

    // The decision: the caseworker's marker goes, the supplier's comes.
    w.app
        .decide_request(
            &cw,
            request,
            &[skjold_app::data_requests::FieldDecisionInput::approve(
                "address",
                "Adressen er nødvendig for hjemmebesøget",
            )],
        )
        .await
        .expect("decided");
    w.app.thread(&cw, order).await.expect("thread");
    let mine = w
        .app
        .orders(&cw, &OrderFilter::default())
        .await
        .expect("page");
    assert_eq!(row(&mine), Some((0, 0, 0)));
    let theirs = w
        .app
        .orders(&supplier, &OrderFilter::default())
        .await
        .expect("page");
    let (messages, requests, decisions) = row(&theirs).expect("listed");
    assert_eq!((requests, decisions), (0, 1));
    assert!(messages >= 1, "the decision is a message too");
    let mentor = w.browser("mentorhuset", DEMO_PASSWORD).await;
    let page = mentor.get("/leverandoer?unread=1").await;
    assert!(page.body.contains("1 ny afgørelse på en anmodning"));
    w.app.thread(&supplier, order).await.expect("thread");
    let theirs = w
        .app
        .orders(&supplier, &OrderFilter::default())
        .await
        .expect("page");
    assert_eq!(row(&theirs), Some((0, 0, 0)));
    let page = mentor.get("/leverandoer?unread=1").await;
    assert!(page.body.contains("Ingen bestillinger passer til filtrene"));
    w.done().await;
}

/// The address of the link with this text (its escaped `&` unescaped).
fn link(body: &str, text: &str) -> String {
    let end = body
        .find(&format!("\" rel=\"next\">{text}</a>"))
        .or_else(|| body.find(&format!("\">{text}</a>")))
        .unwrap_or_else(|| panic!("no link {text}"));
    let start = body[..end].rfind("href=\"").expect("href") + 6;
    body[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

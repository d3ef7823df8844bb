//! Long lists in pages: the access log and the ledger page with a stable order (time, then
//! id) while new entries arrive, count what matches, and carry their filters in the
//! address — the citizen by internal id, never by CPR number.

use axum::http::StatusCode;
use skjold_app::oversight::OversightQuery;
use skjold_core::oversight::Cursor;
use skjold_store::Backend;

use skjold_app::demo::DEMO_PASSWORD;

use crate::common::World;

crate::on_both_backends!(
    the_access_log_pages_stably_while_entries_arrive,
    the_log_pages_carry_their_filters_but_no_cpr_number,
    the_exports_read_in_danish_with_the_ids_beside,
);

async fn the_access_log_pages_stably_while_entries_arrive(backend: Backend) {
    let w = World::new(backend, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let citizen = w.demo.citizens[0].clone();
    for _ in 0..30 {
        w.search(&cw, &citizen).await;
    }
    let by_user = |after: Option<Cursor>| OversightQuery {
        username: Some("sagsbehandler".into()),
        after,
        limit: Some(7),
        ..OversightQuery::default()
    };
    let mut seen = Vec::new();
    let mut after = None;
    let mut total = None;
    let mut arrived = 0;
    loop {
        let page = w.app.access_log(&dpo, &by_user(after)).await.expect("page");
        assert!(page.entries.len() <= 7);
        // The count is the filter's at the time of reading: the first page's, and one
        // more for each entry that arrived since.
        assert_eq!(*total.get_or_insert(page.total) + arrived, page.total);
        seen.extend(page.entries.iter().map(|e| (e.at, e.id)));
        // New entries arrive at the top between pages (a second later): they shift
        // nothing.
        let later = w.app.now().plus_seconds(1);
        w.clock.set(later);
        w.search(&cw, &citizen).await;
        arrived += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let total = usize::try_from(total.expect("a page")).expect("count");
    assert!(total >= 30);
    assert_eq!(seen.len(), total, "every entry once, none skipped");
    // Newest first, ties by id: each entry comes strictly after the one before.
    assert!(
        seen.windows(2)
            .all(|p| p[0].0 > p[1].0 || (p[0].0 == p[1].0 && p[0].1 < p[1].1))
    );
    // A malformed position is a refusal, not an empty page.
    let bad = "12.not-an-id".parse::<Cursor>();
    assert!(bad.is_err());
    w.done().await;
}

async fn the_log_pages_carry_their_filters_but_no_cpr_number(backend: Backend) {
    let w = World::new(backend, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[0].clone();
    for _ in 0..110 {
        w.search(&cw, &citizen).await;
    }
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    let first = dpo.get("/tilsyn/adgangslog").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("side 1"));
    assert_eq!(
        first.body.matches("<tr").count(),
        101,
        "a header and 100 rows"
    );
    let next = link(&first.body, "Næste side");
    let second = dpo.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{next}");
    assert!(second.body.contains("side 2"));
    assert!(second.body.contains("Første side"));

    // A CPR number posted in the filter becomes the citizen's id in the links.
    let cpr = citizen.cpr.formatted();
    let filtered = dpo
        .post_form("/tilsyn/adgangslog", &[("cpr", cpr.as_str())])
        .await;
    assert_eq!(filtered.status, StatusCode::OK);
    let next = link(&filtered.body, "Næste side");
    assert!(next.contains(&format!("subject={}", citizen.id)), "{next}");
    let digits: String = cpr.chars().filter(char::is_ascii_digit).collect();
    assert!(!next.contains(&digits) && !next.contains(&cpr));
    let page = dpo.get(&next).await;
    assert!(page.body.contains("Kun én borger vises"));

    // A bad filter keeps what was typed and says why.
    let odd = dpo
        .post_form(
            "/tilsyn/adgangslog",
            &[("username", "sagsbehandler"), ("from", "31-02-2026")],
        )
        .await;
    assert!(odd.body.contains("value=\"sagsbehandler\""));
    assert!(odd.body.contains("value=\"31-02-2026\""));
    // A malformed position in the address is refused in Danish.
    let bad = dpo.get("/tilsyn/videregivelser?after=nonsense").await;
    assert!(bad.body.contains("sideposition"), "{}", bad.body);
    w.done().await;
}

async fn the_exports_read_in_danish_with_the_ids_beside(backend: Backend) {
    let w = World::new(backend, 4).await;
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[0].clone();
    w.search(&cw, &citizen).await;
    let order = w.order(&cw, citizen.id, "MENTOR", "Mentorhuset ApS").await;
    let dpo = w.browser("dpo", DEMO_PASSWORD).await;
    let ledger = w
        .app
        .ledger(&w.actor("dpo").await, &OversightQuery::default())
        .await
        .expect("ledger");
    assert!(ledger.total > 0);

    // The ledger as CSV: Danish column names and labels first, the ids in their own
    // columns; one row per disclosure.
    let before = w.log_count().await;
    let csv = dpo
        .post_form("/tilsyn/videregivelser/eksport", &[("export", "csv")])
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .expect("a content type")
            .starts_with("text/csv")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "tidspunkt,bestilling,leverandør,videregivet,måde,begrundelse,formål,retsgrundlag,besluttet_af,\
             borgers_data_slettet,tidspunkt_utc,videregivelse_id,bestilling_id,borger_id,felt_nøgle,besked_id"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() as u64, ledger.total);
    let today = w.app.now().danish();
    assert!(
        rows.iter()
            .all(|r| r.as_bytes()[2] == b'.' && r.as_bytes()[5] == b'.')
    );
    let ours: Vec<&&str> = rows
        .iter()
        .filter(|r| r.contains(&order.to_string()))
        .collect();
    assert!(!ours.is_empty());
    for row in &ours {
        assert!(
            row.starts_with(&today[..10]),
            "Copenhagen time first: {row}"
        );
        assert!(row.contains("Mentorhuset ApS"));
        assert!(row.contains(&citizen.id.to_string()));
    }
    assert!(ours.iter().any(|r| r.contains(",Automatisk,")));
    let after_csv = w.log_count().await;

    // As JSON Lines, the same rows, each an object.
    let jsonl = dpo
        .post_form("/tilsyn/videregivelser/eksport", &[("export", "jsonl")])
        .await;
    assert_eq!(jsonl.status, StatusCode::OK);
    let objects: Vec<serde_json::Value> = jsonl
        .body
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(objects.len(), rows.len());
    assert!(
        objects
            .iter()
            .any(|o| o["borger_id"] == citizen.id.to_string())
    );
    // Reading the ledger for the export is logged, one entry per citizen named.
    let named: std::collections::BTreeSet<String> =
        objects.iter().map(|o| o["borger_id"].to_string()).collect();
    // (The first count's own read of the log is one entry more.)
    assert_eq!(after_csv, before + 1 + named.len());
    // An unknown format is refused in Danish, and nothing is exported.
    let odd = dpo
        .post_form("/tilsyn/videregivelser/eksport", &[("export", "xlsx")])
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The access log's verifiable export carries names, time and labels beside the ids,
    // and still checks against the verifier key.
    let export = dpo
        .post_form("/tilsyn/adgangslog/eksport", &[("export", "csv")])
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let header = export.body.lines().next().expect("header");
    assert!(
        header.ends_with(",tidspunkt,bruger,organisation,handling,udfald"),
        "{header}"
    );
    assert!(export.body.contains("Signe Winther") && export.body.contains("Tilladt"));
    let keys = w.app.log_verifiers().await.expect("keys");
    for text in [
        &export.body,
        &dpo.post_form("/tilsyn/adgangslog/eksport", &[("export", "jsonl")])
            .await
            .body,
    ] {
        skjold_app::audit::check_export(text, &keys, &[], 0).expect("the export checks");
    }

    // The pages name no internal ids: the citizen is a link, a CPR search is said so.
    let page = dpo.get("/tilsyn/adgangslog").await;
    assert!(page.body.contains("søgning på CPR-nummer"));
    assert!(page.body.contains("Vis borgerens poster"));
    assert!(!page.body.contains("cpr-hmac"));
    let page = dpo.get("/tilsyn/videregivelser").await;
    assert!(page.body.contains(&format!("?subject={}", citizen.id)));
    assert!(
        !page
            .body
            .contains(&format!(">{}<", &citizen.id.simple().to_string()[..8]))
    );
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

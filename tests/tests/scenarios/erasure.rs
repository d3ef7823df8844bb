//! Wall 4: erased by key. A citizen's data, messages, requests, consents, ledger texts and
//! stand-in reasons are sealed under their key, which lives in the key store, apart from
//! the data. Erasing the citizen destroys the key and deletes their data rows:
//! - nothing of theirs is left to read in the data database or the key store (not even
//!   the wrapped key), other citizens read as before, every view of their orders, threads
//!   and ledger rows answers without the sealed texts, and no CPR search finds them;
//! - a data backup taken before the erasure, restored with the current key store, cannot
//!   open them either, and the erasure is done again on the restored data;
//! - the key store's own backups are deleted after their retention, so the last copy of
//!   the key goes too.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use uuid::Uuid;

use skjold_app::backup::KeyBackups;
use skjold_app::data_requests::FieldDecisionInput;
use skjold_app::demo::DemoCitizen;
use skjold_app::{App, Location};
use skjold_core::citizens::{DEFAULT_KEY_BACKUP_DAYS, Erasure};
use skjold_core::{Actor, Date, FieldKey, Problem};
use skjold_store::testdb::TestDb;
use skjold_store::{Backend, Db, Store};

use crate::at_rest::{at_rest, encodings};
use crate::common::World;

crate::on_both_backends!(
    erasure_leaves_nothing_to_read,
    a_restored_backup_cannot_open_an_erased_citizen,
    key_store_backups_are_deleted_after_their_retention,
);

const DAY: i64 = 24 * 3600;

/// Everything the citizen's case wrote, in texts that name them.
struct Case {
    order: Uuid,
    attachment: Uuid,
    stand_in: Uuid,
}

/// A citizen's case with every kind of sealed text about them: a manual disclosure with a
/// justification, a confirmed message, a supplier's attachment and data request, a consent
/// with its evidence, and another unit's stand-in access with its reason.
async fn case_about(w: &World, c: &DemoCitizen) -> Case {
    let cw = w.actor("sagsbehandler").await;
    let supplier = w.actor("mentorhuset").await;
    w.search(&cw, c).await;
    let order = w.order(&cw, c.id, "MENTOR", "Mentorhuset ApS").await;
    w.app
        .disclose(
            &cw,
            order,
            "health",
            &format!(
                "{} ({}) har brug for skånehensyn",
                c.name,
                c.cpr.formatted()
            ),
        )
        .await
        .expect("manual disclosure");
    w.app
        .send_message(
            &cw,
            order,
            &format!("{} bor på {}, tlf. {}.", c.name, c.address, c.phone),
            Some(&format!("Mentoren skal kunne ringe til {}", c.name)),
        )
        .await
        .expect("confirmed message");
    let cv = skjold_app::threads::uploads::Upload {
        filename: format!("CV {}.txt", c.name),
        bytes: format!("{}\n{}\n{}", c.name, c.address, c.email).into_bytes(),
    };
    w.app
        .send_message_with(&supplier, order, "CV vedhæftet.", &[cv], None)
        .await
        .expect("attachment");
    w.app
        .request_data(
            &supplier,
            order,
            &["family_situation".into()],
            &format!("{} har bedt om hjemmebesøg på {}", c.name, c.address),
        )
        .await
        .expect("request");
    // A request decided per field: a remark on the approved field and a reason for the
    // rejected one, both naming the citizen.
    let decided = w
        .app
        .request_data(
            &supplier,
            order,
            &["substance_abuse".into(), "email".into()],
            &format!("{} vil gerne tale om misbrug", c.name),
        )
        .await
        .expect("request to decide");
    w.app
        .decide_request(
            &cw,
            decided,
            &[
                FieldDecisionInput::approve(
                    "substance_abuse",
                    &format!("{} har selv bedt om det", c.name),
                ),
                FieldDecisionInput::reject(
                    "email",
                    &format!("{} ønsker ikke mails ({})", c.name, c.email),
                ),
            ],
        )
        .await
        .expect("decided per field");
    w.app
        .record_consent(
            &cw,
            c.id,
            "sms",
            "v1",
            &format!("{} sagde ja i telefonen på {}", c.name, c.phone),
        )
        .await
        .expect("consent");
    let other_unit = w.actor("sagsbehandler2").await;
    let stand_in = w
        .app
        .open_stand_in(
            &other_unit,
            order,
            &format!("{} ({}) ringede, kollegaen er syg", c.name, c.phone),
        )
        .await
        .expect("stand-in")
        .id;
    let thread = w.app.thread(&cw, order).await.expect("thread");
    let attachment = thread
        .messages
        .iter()
        .flat_map(|m| m.attachments.iter())
        .next()
        .expect("an attachment")
        .id;
    Case {
        order,
        attachment,
        stand_in,
    }
}

/// The citizen's values in the forms people write them.
fn values(c: &DemoCitizen) -> Vec<String> {
    let phone_digits: String = c.phone.chars().filter(char::is_ascii_digit).collect();
    vec![
        c.cpr.formatted(),
        c.cpr.digits(),
        c.cpr.formatted().replace('-', " "),
        c.name.clone(),
        c.phone.clone(),
        phone_digits,
        c.email.clone(),
        c.address.clone(),
    ]
}

/// Every form of the citizen's values (and of their wrapped key, as bytes and as the hex a
/// `pg_dump` writes) found in `haystack`.
pub(crate) fn found(haystack: &[u8], c: &DemoCitizen, wrapped: &[u8]) -> Vec<String> {
    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for value in values(c) {
        needles.extend(encodings(&value).into_iter().map(|e| (value.clone(), e)));
    }
    needles.push(("the wrapped key".into(), wrapped.to_vec()));
    needles.push((
        "the wrapped key in hex".into(),
        hex::encode(wrapped).into_bytes(),
    ));
    let ac = aho_corasick::AhoCorasick::new(needles.iter().map(|(_, n)| n)).expect("automaton");
    let mut hits: Vec<String> = ac
        .find_overlapping_iter(haystack)
        .map(|m| needles[m.pattern().as_usize()].0.clone())
        .collect();
    hits.sort();
    hits.dedup();
    hits
}

/// A citizen's wrapped key, read from the key store as an insider would.
pub(crate) async fn wrapped_key(db: &TestDb, subject: Uuid) -> Option<Vec<u8>> {
    let sql = "SELECT wrapped_key FROM subject_key WHERE subject_id = $1";
    match db.key_store_db() {
        Db::Sqlite(p) => {
            sqlx::query_scalar(sql)
                .bind(subject)
                .fetch_optional(p)
                .await
        }
        Db::Postgres(p) => {
            sqlx::query_scalar(sql)
                .bind(subject)
                .fetch_optional(p)
                .await
        }
    }
    .expect("key store")
}

/// Asserts that a text carries none of the citizen's values.
fn assert_clean(what: &str, text: &str, c: &DemoCitizen) {
    for v in values(c) {
        assert!(!text.contains(&v), "{what} still shows {v:?}: {text}");
    }
}

/// What the erased citizen's orders, threads and ledger rows show, on every side, through
/// the use cases, the API and the pages: the rows, without their sealed texts, and never a
/// server error.
async fn views_after_erasure(w: &World, c: &DemoCitizen, case: &Case) {
    let cw = w.actor("sagsbehandler").await;
    let supplier = w.actor("mentorhuset").await;
    let dpo = w.actor("dpo").await;

    // The record answers CitizenErased; nothing can be added to it.
    assert_refused!(w.app.citizen(&cw, c.id).await, Problem::CitizenErased);
    assert_refused!(
        w.app
            .record_consent(&cw, c.id, "email", "v1", "Sagt ja i borgerservice i dag")
            .await,
        Problem::CitizenErased
    );
    // No CPR search finds them.
    assert_refused!(
        w.app.find_citizen(&cw, &c.cpr.formatted()).await,
        Problem::CitizenNotFound
    );

    // The caseworker's order: the ledger rows without their justifications, no name.
    let order = w
        .app
        .caseworker_order(&cw, case.order)
        .await
        .expect("order");
    assert!(order.citizen_erased);
    assert_eq!(order.citizen_name, None);
    assert!(order.disclosures.len() >= 2, "{:?}", order.disclosures);
    assert!(order.disclosures.iter().all(|d| d.erased));
    assert!(
        order
            .disclosures
            .iter()
            .all(|d| d.justification.is_none() && d.found.is_none())
    );
    assert!(order.disclosable.is_empty());
    // The supplier's: the order's facts, no fields.
    let seen = w
        .app
        .supplier_order(&supplier, case.order)
        .await
        .expect("order");
    assert!(seen.citizen_erased);
    assert!(seen.fields.is_empty());
    // The thread: every message and request, without its text.
    for actor in [&cw, &supplier] {
        let t = w.app.thread(actor, case.order).await.expect("thread");
        assert!(t.citizen_erased);
        assert!(t.messages.len() >= 3);
        assert!(t.messages.iter().all(|m| m.erased && m.body.is_empty()));
        assert!(
            t.messages
                .iter()
                .flat_map(|m| &m.attachments)
                .all(|a| a.filename.is_empty())
        );
        assert!(t.requests.iter().all(|r| r.erased && r.reason.is_empty()));
        // The request decided per field still says what was decided on each, without
        // the remark or the reason.
        let decided = t
            .requests
            .iter()
            .find(|r| r.fields.contains(&FieldKey::Email))
            .expect("the decided request");
        assert_eq!(decided.status, "partly_approved");
        assert_eq!(
            decided
                .decisions
                .iter()
                .map(|d| (d.field, d.approved, d.reason.is_none()))
                .collect::<Vec<_>>(),
            [
                (FieldKey::Substance, true, true),
                (FieldKey::Email, false, true)
            ]
        );
        // Their open data request ended with the erasure.
        assert!(!t.requests.is_empty() && t.requests.iter().all(|r| !r.is_open()));
        assert!(t.requested_values.is_empty());
    }
    assert!(
        w.app
            .open_requests(&cw)
            .await
            .expect("open requests")
            .iter()
            .all(|r| r.order_id != case.order)
    );
    // The attachment went with the key.
    assert_refused!(
        w.app.attachment(&cw, case.attachment).await,
        Problem::CitizenErased
    );
    // Nothing more can be disclosed, asked for, reminded or sent about them.
    assert_refused!(
        w.app
            .disclose(
                &cw,
                case.order,
                "family_situation",
                "Leverandøren skal kende familiens forhold"
            )
            .await,
        Problem::CitizenErased
    );
    assert_refused!(
        w.app
            .request_data(
                &supplier,
                case.order,
                &["education".into()],
                "Vi har brug for uddannelsen for at planlægge forløbet"
            )
            .await,
        Problem::CitizenErased
    );
    let appointment = skjold_app::reminders::Appointment {
        date: Date::from_ymd(2026, 12, 1).expect("date"),
        time: "10:00".into(),
        place: "Jobcentret, lokale 2".into(),
    };
    let outbox = std::env::temp_dir().join(format!("skjold-outbox-{}.jsonl", Uuid::new_v4()));
    let reminding = w.app.clone().with_reminder_provider(std::sync::Arc::new(
        skjold_app::reminders::FileProvider::new(&outbox),
    ));
    assert_refused!(
        reminding
            .send_reminder(&cw, case.order, "sms", &appointment)
            .await,
        Problem::CitizenErased
    );
    assert!(!outbox.exists(), "a reminder went to an erased citizen");
    assert_refused!(
        w.app
            .send_message(&cw, case.order, "Hvordan går det med forløbet?", None)
            .await,
        Problem::CitizenErased
    );
    // The privacy officer's ledger and follow-up: the rows stay, without their texts, and
    // the stand-in access can still be followed up (its note is not kept).
    let ledger = w
        .app
        .ledger(&dpo, &Default::default())
        .await
        .expect("ledger")
        .entries;
    let theirs: Vec<_> = ledger.iter().filter(|e| e.subject_id == c.id).collect();
    assert!(theirs.len() >= 2);
    assert!(theirs.iter().all(|e| e.erased && e.justification.is_none()));
    assert!(ledger.iter().any(|e| e.subject_id != c.id && !e.erased));
    let follow_up = w.app.follow_up(&dpo).await.expect("follow-up");
    let stand_in = follow_up
        .stand_ins
        .iter()
        .find(|s| s.id == case.stand_in)
        .expect("the stand-in access");
    assert!(stand_in.erased && stand_in.reason.is_empty());
    w.app
        .follow_up_stand_in(&dpo, case.stand_in, "Set; borgeren er slettet siden")
        .await
        .expect("followed up");
    // Consents stay as facts, without their evidence.
    assert_eq!(w.app.consents(&cw, c.id).await.expect("consents").len(), 1);

    // Over the API: the record answers 404 `citizen_erased`; the rest answers 200.
    let api = w.api("sagsbehandler").await;
    api.get(&format!("/api/v1/citizens/{}", c.id))
        .await
        .assert_error(StatusCode::NOT_FOUND, "citizen_erased");
    for path in [
        format!("/api/v1/orders/{}", case.order),
        format!("/api/v1/orders/{}/thread", case.order),
    ] {
        let reply = api.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_clean(&path, &reply.body, c);
    }
    let order_json = api
        .get(&format!("/api/v1/orders/{}", case.order))
        .await
        .json();
    assert_eq!(order_json["citizen_erased"], true);
    assert_eq!(order_json["disclosures"][0]["erased"], true);
    let supplier_api = w.api("mentorhuset").await;
    for path in [
        format!("/api/v1/orders/{}", case.order),
        format!("/api/v1/orders/{}/thread", case.order),
    ] {
        let reply = supplier_api.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_clean(&path, &reply.body, c);
    }
    let dpo_api = w.api("dpo").await;
    for (path, body) in [
        ("/api/v1/ledger/query", serde_json::json!({})),
        ("/api/v1/access-log/query", serde_json::json!({})),
    ] {
        let reply = dpo_api.post_json(path, &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_clean(path, &reply.body, c);
    }
    let reply = dpo_api.get("/api/v1/follow-up").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // The pages: the same, with «(slettet)» where a text was.
    let browser = w
        .browser("sagsbehandler", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let record = browser.get(&format!("/borgere/{}", c.id)).await;
    assert_eq!(record.status, StatusCode::NOT_FOUND, "{}", record.body);
    let page = browser.get(&format!("/bestillinger/{}", case.order)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"citizen-erased\""));
    assert!(page.body.contains("(slettet)"));
    assert_clean("the order's page", &page.body, c);
    let supplier_browser = w
        .browser("mentorhuset", skjold_app::demo::DEMO_PASSWORD)
        .await;
    let page = supplier_browser
        .get(&format!("/leverandoer/bestillinger/{}", case.order))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("(slettet)"));
    assert_clean("the supplier's page", &page.body, c);
    let dpo_browser = w.browser("dpo", skjold_app::demo::DEMO_PASSWORD).await;
    for path in ["/tilsyn", "/tilsyn/videregivelser", "/tilsyn/adgangslog"] {
        let page = dpo_browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert_clean(path, &page.body, c);
    }
}

/// Another citizen reads as before.
async fn reads_normally(app: &App, cw: &Actor, other: &DemoCitizen) {
    let view = app.citizen(cw, other.id).await.expect("another citizen");
    assert_eq!(view.value(FieldKey::Name), Some(other.name.as_str()));
    assert_eq!(view.value(FieldKey::Phone), Some(other.phone.as_str()));
}

async fn erasure_leaves_nothing_to_read(backend: Backend) {
    let w = World::new(backend, 60).await;
    let (c, other) = (w.demo.citizens[40].clone(), w.demo.citizens[41].clone());
    let case = case_about(&w, &c).await;
    let other_case = case_about(&w, &other).await;
    let cw = w.actor("sagsbehandler").await;
    let wrapped = wrapped_key(&w.db, c.id)
        .await
        .expect("the citizen has a key");
    // Control: the search sees the key store (the key is there before the erasure).
    let before = at_rest(&w);
    assert!(
        found(&before, &c, &wrapped)
            .iter()
            .any(|h| h.starts_with("the wrapped key")),
        "the search does not see the key store"
    );

    // Neither a supplier nor the auditor may erase; the caseworker may.
    for who in ["mentorhuset", "revisor", "admin"] {
        let actor = w.actor(who).await;
        assert_refused!(
            w.app.erase_subject(&actor, c.id).await,
            Problem::RoleNotAllowed(_)
        );
    }
    let erasure: Erasure = w.app.erase_subject(&cw, c.id).await.expect("erased");
    assert_eq!(erasure.subject_id, c.id);
    assert_eq!(erasure.erased_at, w.app.now());
    assert!(erasure.key_destroyed);
    assert!(erasure.data_deleted >= 5, "{erasure:?}");
    assert_eq!(erasure.consents_cleared, 1);
    // The key's last copy leaves the key store's backups after their retention.
    assert_eq!(w.app.key_backup_days(), DEFAULT_KEY_BACKUP_DAYS);
    assert_eq!(
        w.app.key_backups_gone_by(erasure.erased_at),
        Date::from_ymd(2026, 12, 29).expect("date")
    );
    // Erased once: a second time is refused, and so is the privacy officer's.
    assert_refused!(w.app.erase_subject(&cw, c.id).await, Problem::CitizenErased);
    let dpo = w.actor("dpo").await;
    assert_refused!(
        w.app.erase_subject(&dpo, c.id).await,
        Problem::CitizenErased
    );
    assert_eq!(wrapped_key(&w.db, c.id).await, None);

    views_after_erasure(&w, &c, &case).await;
    // Other citizens, and their orders, read as before.
    reads_normally(&w.app, &cw, &other).await;
    let theirs = w
        .app
        .caseworker_order(&cw, other_case.order)
        .await
        .expect("order");
    assert_eq!(theirs.citizen_name.as_deref(), Some(other.name.as_str()));
    assert!(!theirs.citizen_erased);
    assert!(theirs.disclosures.iter().any(|d| {
        d.justification
            .as_deref()
            .is_some_and(|j| j.contains(&other.name))
    }));

    // The erasure is in the access log, and the log still verifies.
    let log = w
        .app
        .access_log(
            &dpo,
            &skjold_app::oversight::OversightQuery {
                subject: Some(c.id),
                ..Default::default()
            },
        )
        .await
        .expect("log")
        .entries;
    assert!(log.iter().any(|e| e.subject_id == Some(c.id)
        && e.use_kind == skjold_core::oversight::UseKind::Erase
        && e.allowed));
    assert!(w.app.verify_log().await.expect("verify").ok());

    // Nothing of the citizen's at rest: not in the data, not in the key store, not the key.
    let after = at_rest(&w);
    assert!(
        after.len() > 100_000,
        "suspiciously little at rest: {} bytes",
        after.len()
    );
    let hits = found(&after, &c, &wrapped);
    assert!(hits.is_empty(), "left at rest after the erasure: {hits:?}");
    // The other citizen's key is still there.
    let other_key = wrapped_key(&w.db, other.id).await.expect("their key");
    assert!(!found(&after, &other, &other_key).is_empty());

    // A key store restored from before the erasure would bring the key back: opening the
    // data destroys it again, since the erasure is recorded there.
    put_key(&w.db, c.id, &wrapped).await;
    assert_refused!(w.app.citizen(&cw, c.id).await, Problem::CitizenErased);
    assert_eq!(w.app.finish_erasures().await.expect("finished"), 1);
    assert_eq!(wrapped_key(&w.db, c.id).await, None);
    assert_eq!(w.app.finish_erasures().await.expect("nothing left"), 0);
    w.done().await;
}

/// Puts a wrapped key into the key store, as restoring an old key-store backup would.
async fn put_key(db: &TestDb, subject: Uuid, wrapped: &[u8]) {
    let sql = "INSERT INTO subject_key (subject_id, wrapped_key, master_key_id, created_at) VALUES ($1, $2, 'restored', 0)";
    let inserted = match db.key_store_db() {
        Db::Sqlite(p) => sqlx::query(sql)
            .bind(subject)
            .bind(wrapped)
            .execute(p)
            .await
            .map(|r| r.rows_affected()),
        Db::Postgres(p) => sqlx::query(sql)
            .bind(subject)
            .bind(wrapped)
            .execute(p)
            .await
            .map(|r| r.rows_affected()),
    };
    assert_eq!(inserted.expect("key store"), 1);
}

/// The application's location of a test database, as `skjold` would open it: SQLite in its
/// directory, PostgreSQL with a directory of its own for the lock.
pub(crate) fn location_of(db: &TestDb, scratch: &Path) -> Location {
    Location {
        data_dir: db.data_dir().unwrap_or_else(|| scratch.join("data")),
        database_url: db.postgres_url(),
        master_key: Some(TestDb::master_key()),
        key_store_url: None,
        key_backup_dir: Some(scratch.join("key-backups")),
        key_backup_days: None,
    }
}

pub(crate) fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skjold-backup-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

async fn a_restored_backup_cannot_open_an_erased_citizen(backend: Backend) {
    let w = World::new(backend, 40).await;
    let scratch = scratch_dir();
    let location = location_of(&w.db, &scratch);
    let app = w.app.clone().with_key_backups(KeyBackups::of(&location));
    let (c, other) = (w.demo.citizens[20].clone(), w.demo.citizens[21].clone());
    let case = case_about(&w, &c).await;
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &other).await;
    let wrapped = wrapped_key(&w.db, c.id).await.expect("key");

    // A backup of the data, taken before the erasure: no key in it.
    let taken = app.backup(&scratch.join("backup")).await.expect("backup");
    assert_eq!(taken.manifest.contents, "data");
    assert!(taken.data_file.starts_with(scratch.join("backup")));
    assert!(scratch.join("backup/manifest.json").is_file());
    let backed_up = backup_contents(&taken.data_file, backend);
    assert!(
        !found(&backed_up, &c, &wrapped)
            .iter()
            .any(|h| h.starts_with("the wrapped key")),
        "a key in the data's backup"
    );
    assert!(!String::from_utf8_lossy(&backed_up).contains("subject_key"));
    // The key store's backup went to its own folder.
    assert!(taken.key_backup.starts_with(scratch.join("key-backups")));

    let dpo = w.actor("dpo").await;
    w.app.erase_subject(&dpo, c.id).await.expect("erased");
    w.clock.advance_seconds(3600);

    // The server stops; the data of before the erasure is put back.
    w.app.close().await;
    let manifest = App::restore(&location, &scratch.join("backup"))
        .await
        .expect("restored");
    assert_eq!(manifest.schema_version, taken.manifest.schema_version);
    let store_location = skjold_store::Location {
        data_dir: location.data_dir.clone(),
        database_url: location.database_url.clone(),
        master_key: location.master_key.clone(),
        key_store_url: None,
    };
    let store = Store::open(&store_location).await.expect("opens");
    let restored = App::new(store, w.clock.clone());

    // The restored data knows the citizen again, but their key is gone: the record does not
    // open, and nothing of theirs can be read.
    assert_eq!(
        restored
            .find_citizen(&cw, &c.cpr.formatted())
            .await
            .expect("found in the old data"),
        c.id
    );
    assert_refused!(restored.citizen(&cw, c.id).await, Problem::CitizenErased);
    let t = restored.thread(&cw, case.order).await.expect("thread");
    assert!(t.citizen_erased && t.messages.iter().all(|m| m.body.is_empty()));
    let order = restored
        .caseworker_order(&cw, case.order)
        .await
        .expect("order");
    assert!(order.citizen_erased && order.citizen_name.is_none());
    reads_normally(&restored, &cw, &other).await;

    // Opening the data finishes the erasure again: no search finds them any more.
    assert_eq!(restored.finish_erasures().await.expect("finished"), 1);
    assert_eq!(restored.finish_erasures().await.expect("nothing left"), 0);
    assert_refused!(
        restored.find_citizen(&cw, &c.cpr.formatted()).await,
        Problem::CitizenNotFound
    );
    assert_refused!(restored.citizen(&cw, c.id).await, Problem::CitizenErased);
    reads_normally(&restored, &cw, &other).await;
    assert!(restored.verify_log().await.expect("verify").ok());

    // A restore refuses while the data is open, and a backup of the other database.
    assert_refused!(
        App::restore(&location, &scratch.join("backup")).await,
        Problem::DataInUse
    );
    restored.close().await;
    let other_backend = Location {
        database_url: match backend {
            Backend::Sqlite => Some("postgres://nowhere.invalid/skjold".into()),
            Backend::Postgres => None,
        },
        data_dir: scratch.join("elsewhere"),
        ..location.clone()
    };
    assert_refused!(
        App::restore(&other_backend, &scratch.join("backup")).await,
        Problem::BackupMismatch { .. }
    );
    assert_refused!(
        App::restore(&location, &scratch.join("nothing")).await,
        Problem::BackupNotFound(_)
    );
    // A backup never overwrites another.
    let again = App::open(&location).await.expect("opens");
    assert_refused!(
        again.backup(&scratch.join("backup")).await,
        Problem::BackupExists(_)
    );
    again.close().await;

    let _ = std::fs::remove_dir_all(&scratch);
    w.done().await;
}

/// The data backup's content as it can be searched: the SQLite file, or a `pg_dump`
/// archive turned back into SQL.
fn backup_contents(file: &Path, backend: Backend) -> Vec<u8> {
    match backend {
        Backend::Sqlite => std::fs::read(file).expect("backup file"),
        Backend::Postgres => {
            let out = std::process::Command::new("pg_restore")
                .arg("--file=-")
                .arg(file)
                .output()
                .expect("pg_restore runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        }
    }
}

async fn key_store_backups_are_deleted_after_their_retention(backend: Backend) {
    let w = World::new(backend, 5).await;
    let scratch = scratch_dir();
    let location = location_of(&w.db, &scratch);
    let app = w.app.clone().with_key_backups(KeyBackups::of(&location));
    let c = w.demo.citizens[0].clone();
    let wrapped = wrapped_key(&w.db, c.id).await.expect("key");

    // Backups on day 0, day 10 and day 36 (kept 35 days).
    let first = app.backup(&scratch.join("day-0")).await.expect("backup");
    assert!(first.pruned.is_empty());
    // The key store's backup holds the keys (and a manifest); the data's does not.
    assert!(first.key_backup.join("manifest.json").is_file());
    let key_file = std::fs::read_dir(&first.key_backup)
        .expect("key backup")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n != "manifest.json"))
        .expect("the key store's copy");
    assert!(
        !found(&backup_contents(&key_file, backend), &c, &wrapped).is_empty(),
        "the key store's backup has no key"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first.key_backup)
            .expect("folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    w.clock.advance_seconds(10 * DAY);
    let second = app.backup(&scratch.join("day-10")).await.expect("backup");
    assert!(second.pruned.is_empty());
    w.clock.advance_seconds(26 * DAY);
    let third = app.backup(&scratch.join("day-36")).await.expect("backup");
    assert_eq!(third.pruned, vec![first.key_backup.clone()]);
    assert!(!first.key_backup.exists());
    assert!(second.key_backup.is_dir() && third.key_backup.is_dir());
    // The data's backups are not the key store's to prune.
    assert!(scratch.join("day-0/manifest.json").is_file());
    // Something else in the folder is left alone.
    std::fs::create_dir_all(scratch.join("key-backups/notes")).expect("dir");
    w.clock.advance_seconds(40 * DAY);
    let pruned = app.prune_key_backups().expect("pruned");
    assert_eq!(
        pruned,
        vec![second.key_backup.clone(), third.key_backup.clone()]
    );
    assert!(scratch.join("key-backups/notes").is_dir());

    let _ = std::fs::remove_dir_all(&scratch);
    w.done().await;
}

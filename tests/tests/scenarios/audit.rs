//! The tamper-evident access log (issue: access log and sign-in), on SQLite and
//! PostgreSQL: verification finds any single entry changed, deleted, inserted or moved
//! directly in the database; checkpoints, retention and exports with proofs.

use crate::common::World;
use skjold_core::oversight::LogFilter;
use skjold_store::audit::export::{Format, verify_export};
use skjold_store::audit::{LeafEntry, shard_of};
use skjold_store::{Backend, Db};

crate::on_both_backends!(
    verify_finds_every_kind_of_tampering,
    checkpoints_retention_and_exports,
    a_restored_database_starts_a_new_log_identity,
    witnesses_cosign_the_log_and_refuse_what_does_not_fit,
    an_upgraded_log_keeps_its_old_shards_and_goes_on_as_one_tree,
);

#[tokio::test]
async fn a_copied_database_starts_a_new_log_identity() {
    a_copied_database_starts_a_new_log_identity_on(Backend::Sqlite).await;
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// What an insider with database rights can do: switch off the append-only triggers.
async fn disarm(db: &Db) {
    match db {
        Db::Sqlite(_) => {
            exec(db, "DROP TRIGGER access_log_no_update").await;
            exec(db, "DROP TRIGGER access_log_no_delete").await;
        }
        Db::Postgres(_) => exec(db, "ALTER TABLE access_log DISABLE TRIGGER USER").await,
    }
}

type Row = (
    uuid::Uuid,
    i64,
    Option<uuid::Uuid>,
    Option<uuid::Uuid>,
    String,
    Option<uuid::Uuid>,
    Option<String>,
    String,
    String,
    String,
    String,
    i64,
);

/// An entry as the tree sees it, read straight from the table.
async fn entry(db: &Db, shard: &str, idx: i64) -> LeafEntry {
    let sql = "SELECT id, at, user_id, organisation_id, use_kind, subject_id, criterion, purpose, outcome, detail, shard, idx \
               FROM access_log WHERE shard = $1 AND idx = $2";
    let r: Row = match db {
        Db::Sqlite(p) => sqlx::query_as(sql).bind(shard).bind(idx).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_as(sql).bind(shard).bind(idx).fetch_one(p).await,
    }
    .expect("entry");
    LeafEntry {
        format: skjold_store::audit::LEAF_FORMAT,
        id: r.0,
        at: r.1,
        user_id: r.2,
        organisation_id: r.3,
        use_kind: r.4,
        subject_id: r.5,
        criterion: r.6,
        purpose: r.7,
        outcome: r.8,
        detail: r.9,
        shard: r.10,
        index: r.11 as u64,
        stand_in: None,
    }
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn sql_uuid(backend: Backend, u: Option<uuid::Uuid>) -> String {
    match (u, backend) {
        (None, _) => "NULL".into(),
        (Some(u), Backend::Sqlite) => format!("X'{}'", hex::encode(u.as_bytes())),
        (Some(u), Backend::Postgres) => format!("'{u}'"),
    }
}

fn sql_bytes(backend: Backend, b: &[u8]) -> String {
    match backend {
        Backend::Sqlite => format!("X'{}'", hex::encode(b)),
        Backend::Postgres => format!("'\\x{}'::bytea", hex::encode(b)),
    }
}

/// An INSERT for `e` with a leaf hash that fits its content: a careful forger.
fn forged_insert(backend: Backend, e: &LeafEntry) -> String {
    format!(
        "INSERT INTO access_log (id, at, user_id, organisation_id, use_kind, subject_id, criterion, purpose, outcome, detail, shard, idx, leaf_hash) \
         VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        sql_uuid(backend, Some(e.id)),
        e.at,
        sql_uuid(backend, e.user_id),
        sql_uuid(backend, e.organisation_id),
        sql_text(&e.use_kind),
        sql_uuid(backend, e.subject_id),
        e.criterion.as_deref().map_or("NULL".into(), sql_text),
        sql_text(&e.purpose),
        sql_text(&e.outcome),
        sql_text(&e.detail),
        sql_text(&e.shard),
        e.index,
        sql_bytes(backend, &e.leaf_hash()),
    )
}

#[derive(Debug, Clone, Copy)]
enum Tamper {
    Change,
    ChangeAndRehash,
    Delete,
    DeleteLast,
    InsertInMiddle,
    InsertAtEnd,
    Reorder,
}

/// A world whose log has a few hundred entries under a checkpoint, plus some after it:
/// the world, this month's shard, the index of its first entry and its number of entries.
async fn logged_world(backend: Backend) -> (World, String, i64, i64) {
    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    for c in &w.demo.citizens {
        w.search(&cw, c).await;
        w.app.citizen(&cw, c.id).await.expect("view");
    }
    let store = w.db.store.audit();
    assert!(
        !store
            .checkpoint_log(crate::common::NOW)
            .await
            .expect("sign")
            .is_empty()
    );
    for c in &w.demo.citizens[..3] {
        w.app
            .citizen(&cw, c.id)
            .await
            .expect("view after the checkpoint");
    }
    let report = store.verify_log().await.expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let shard = shard_of(crate::common::NOW);
    let this_month = report
        .shards
        .iter()
        .find(|s| s.shard == shard)
        .expect("this month's shard");
    let size = this_month.entries as i64;
    assert!(size > 20, "{size}");
    (w, shard, this_month.start as i64, size)
}

async fn verify_finds_every_kind_of_tampering(backend: Backend) {
    for tamper in [
        Tamper::Change,
        Tamper::ChangeAndRehash,
        Tamper::Delete,
        Tamper::DeleteLast,
        Tamper::InsertInMiddle,
        Tamper::InsertAtEnd,
        Tamper::Reorder,
    ] {
        let (w, shard, start, count) = logged_world(backend).await;
        // Indices run through the whole log: this shard's are start..start + count.
        let size = start + count;
        let db = w.db.db().clone();
        disarm(&db).await;
        let at = start + 7;
        let where_ = |i: i64| format!("shard = '{shard}' AND idx = {i}");
        match tamper {
            Tamper::Change => {
                exec(
                    &db,
                    &format!(
                        "UPDATE access_log SET detail = 'intet at se' WHERE {}",
                        where_(at)
                    ),
                )
                .await;
            }
            Tamper::ChangeAndRehash => {
                let mut e = entry(&db, &shard, at).await;
                e.outcome = if e.outcome == "allowed" {
                    "denied"
                } else {
                    "allowed"
                }
                .into();
                let set = format!(
                    "UPDATE access_log SET outcome = {}, leaf_hash = {} WHERE {}",
                    sql_text(&e.outcome),
                    sql_bytes(backend, &e.leaf_hash()),
                    where_(at)
                );
                exec(&db, &set).await;
            }
            Tamper::Delete => {
                exec(&db, &format!("DELETE FROM access_log WHERE {}", where_(at))).await
            }
            Tamper::DeleteLast => {
                exec(
                    &db,
                    &format!("DELETE FROM access_log WHERE {}", where_(size - 1)),
                )
                .await;
            }
            Tamper::InsertInMiddle => {
                let mut e = entry(&db, &shard, at).await;
                exec(&db, &format!("UPDATE access_log SET idx = idx + 1000000 WHERE shard = '{shard}' AND idx >= {at}")).await;
                exec(&db, &format!("UPDATE access_log SET idx = idx - 999999 WHERE shard = '{shard}' AND idx >= 1000000")).await;
                e.id = uuid::Uuid::new_v4();
                e.detail = "Opslag der aldrig fandt sted".into();
                exec(&db, &forged_insert(backend, &e)).await;
            }
            Tamper::InsertAtEnd => {
                let mut e = entry(&db, &shard, size - 1).await;
                e.id = uuid::Uuid::new_v4();
                e.index = size as u64;
                exec(&db, &forged_insert(backend, &e)).await;
            }
            Tamper::Reorder => {
                // Swap two entries' places: each row takes the other's index.
                exec(
                    &db,
                    &format!("UPDATE access_log SET idx = -1 WHERE {}", where_(at)),
                )
                .await;
                exec(
                    &db,
                    &format!("UPDATE access_log SET idx = {at} WHERE {}", where_(at + 1)),
                )
                .await;
                exec(
                    &db,
                    &format!(
                        "UPDATE access_log SET idx = {} WHERE shard = '{shard}' AND idx = -1",
                        at + 1
                    ),
                )
                .await;
            }
        }
        let report = w.db.store.audit().verify_log().await.expect("verify runs");
        assert!(!report.ok(), "{tamper:?} went unnoticed");
        let first = &report.problems[0];
        assert_eq!(first.shard, shard, "{tamper:?}: {first}");
        let expected_index = match tamper {
            Tamper::Change | Tamper::Delete | Tamper::Reorder => Some(at as u64),
            Tamper::InsertInMiddle => Some(at as u64 + 1),
            Tamper::DeleteLast => Some(size as u64 - 1),
            Tamper::InsertAtEnd => Some(size as u64),
            // Consistent leaf hashes: only the signed checkpoint can tell.
            Tamper::ChangeAndRehash => None,
        };
        assert_eq!(first.index, expected_index, "{tamper:?}: {first}");
        if matches!(tamper, Tamper::ChangeAndRehash) {
            assert!(first.what.contains("signed checkpoint"), "{first}");
        }
        w.done().await;
    }
}

async fn checkpoints_retention_and_exports(backend: Backend) {
    // Eight months ago: a shard that retention will remove; then this month's.
    let then = crate::common::NOW.plus_seconds(-240 * 86_400);
    let w = World::new_at(backend, 6, then).await;
    let store = w.db.store.audit().clone();
    let cw = w.actor("sagsbehandler").await;
    let citizen = w.demo.citizens[2].clone();
    w.app.citizen(&cw, citizen.id).await.expect("old view");
    let old_shard = shard_of(then);
    w.clock.set(crate::common::NOW);
    w.app.citizen(&cw, citizen.id).await.expect("view");
    w.app
        .citizen(&cw, w.demo.citizens[3].id)
        .await
        .expect("view");
    let signed = store
        .checkpoint_log(crate::common::NOW)
        .await
        .expect("sign");
    assert!(
        signed.iter().any(|c| c.shard == old_shard),
        "the closed shard gets its final checkpoint"
    );
    assert!(
        store
            .checkpoint_log(crate::common::NOW)
            .await
            .expect("again")
            .is_empty(),
        "nothing new, nothing signed"
    );
    assert!(store.verify_log().await.expect("verify").ok());

    // Retention: never under six months; whole shards; verify still passes.
    let short = store.prune_log(crate::common::NOW, 5).await;
    assert!(matches!(
        short,
        Err(skjold_store::StoreError::Refused(
            skjold_core::Problem::RetentionTooShort { min: 6 }
        ))
    ));
    let pruned = store.prune_log(crate::common::NOW, 6).await.expect("prune");
    assert!(pruned.contains(&old_shard), "{pruned:?}");
    assert!(!pruned.contains(&shard_of(crate::common::NOW)));
    let report = store.verify_log().await.expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let old = report
        .shards
        .iter()
        .find(|s| s.shard == old_shard)
        .expect("kept as a record");
    assert!(old.pruned && old.checkpoints >= 1 && old.entries == 0);
    // Pruning is the only way entries leave: a plain DELETE is still refused.
    let db = w.db.db().clone();
    let refused = match &db {
        Db::Sqlite(p) => sqlx::query("DELETE FROM access_log")
            .execute(p)
            .await
            .map(|_| ()),
        Db::Postgres(p) => sqlx::query("DELETE FROM access_log")
            .execute(p)
            .await
            .map(|_| ()),
    };
    assert!(refused.is_err(), "the log is append-only");

    // Export for one citizen, with proofs; checked offline with the verifier key only.
    let verifiers = store.log_verifiers().await.expect("keys");
    assert_eq!(verifiers.len(), 1, "one identity, no shard of format 1");
    let filter = LogFilter {
        subject_id: Some(citizen.id),
        ..LogFilter::default()
    };
    let export = store
        .export_log(&filter, None, crate::common::NOW)
        .await
        .expect("export");
    assert!(!export.entries.is_empty());
    assert!(
        export
            .entries
            .iter()
            .all(|e| e.entry.subject_id == Some(citizen.id))
    );
    for format in [Format::Jsonl, Format::Csv] {
        let bytes = export.write(format);
        let text = String::from_utf8(bytes).expect("utf-8");
        let check =
            verify_export(&text, &verifiers, &[], 0).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(check.entries, export.entries.len());
        // A tampered export fails, and says where.
        let tampered = text.replacen(
            "Borgerens oplysninger vist",
            "Borgerens oplysninger skjult",
            1,
        );
        assert_ne!(tampered, text, "{format:?}: the export names the use");
        let err = verify_export(&tampered, &verifiers, &[], 0).expect_err("tampered export");
        assert!(err.contains("linje"), "{err}");
        // Another installation's key does not accept it.
        let origin = verifiers[0].name();
        let stranger = skjold_store::audit::NoteSigner::new(origin, &[3; 32]).verifier();
        assert!(verify_export(&text, &[stranger], &[], 0).is_err());
    }

    // The citizen's own entries: when, which organisation, which use, why.
    let own = store.citizen_log(citizen.id).await.expect("citizen log");
    assert_eq!(own.len(), 1, "the older entries went with their shard");
    assert_eq!(own[0].organisation, cw.organisation_name);
    assert_eq!(own[0].purpose, "Sagsbehandling");
    assert!(own[0].allowed);
    w.done().await;
}

/// The whole access log as a privacy officer exports it, as JSON Lines.
pub(crate) async fn export_jsonl(app: &skjold_app::App, dpo: &skjold_core::Actor) -> String {
    let export = app
        .export_access_log(
            dpo,
            &skjold_app::oversight::OversightQuery::default(),
            "jsonl",
        )
        .await
        .expect("export");
    String::from_utf8(export.bytes).expect("utf-8")
}

/// The origin line of a signed note.
fn origin_of(note: &str) -> &str {
    note.split('\n').next().unwrap_or("")
}

/// A backup restored after the log signed on: the restored data lacks the checkpoint the key
/// store recorded (and is another file or database), so the log starts a new identity. The
/// old identity signs nothing more; the whole log, old checkpoints and new, still verifies;
/// the log itself says why.
async fn a_restored_database_starts_a_new_log_identity(backend: Backend) {
    use skjold_app::App;
    let w = World::new(backend, 8).await;
    let scratch = crate::erasure::scratch_dir();
    let location = crate::erasure::location_of(&w.db, &scratch);
    let cw = w.actor("sagsbehandler").await;
    let dpo = w.actor("dpo").await;
    let audit = w.db.store.audit();
    w.search(&cw, &w.demo.citizens[0]).await;
    assert!(!w.app.checkpoint_log().await.expect("sign").is_empty());
    let first = audit.log_verifier().await.expect("key").name().to_owned();
    assert!(
        first.starts_with(skjold_store::audit::ORIGIN_PREFIX),
        "{first}"
    );

    w.app
        .clone()
        .with_key_backups(skjold_app::backup::KeyBackups::of(&location))
        .backup(&scratch.join("backup"))
        .await
        .expect("backup");
    // After the backup the log grows and signs on, under the same identity.
    w.app
        .citizen(&cw, w.demo.citizens[1].id)
        .await
        .expect("view");
    w.clock.advance_seconds(60);
    let after = w.app.checkpoint_log().await.expect("sign");
    assert!(
        after.iter().all(|c| origin_of(&c.note) == first),
        "{after:?}"
    );
    assert!(!after.is_empty());

    w.app.close().await;
    App::restore(&location, &scratch.join("backup"))
        .await
        .expect("restored");
    let store = skjold_store::Store::open(&skjold_store::Location {
        data_dir: location.data_dir.clone(),
        database_url: location.database_url.clone(),
        master_key: location.master_key.clone(),
        key_store_url: None,
    })
    .await
    .expect("opens");
    let restored = App::new(store, w.clock.clone());
    // The restored system is used: a different history from the one signed above.
    restored
        .citizen(&cw, w.demo.citizens[2].id)
        .await
        .expect("view");
    w.clock.advance_seconds(60);
    let signed = restored.checkpoint_log().await.expect("sign");
    assert!(!signed.is_empty());
    let keys = restored.log_verifiers().await.expect("keys");
    assert_eq!(keys.len(), 2, "{keys:?}");
    let new = origin_of(&signed[0].note).to_owned();
    assert_ne!(new, first);
    assert!(keys[0].starts_with(&format!("{new}+")), "{keys:?}");
    assert!(keys[1].starts_with(&format!("{first}+")), "{keys:?}");
    assert!(signed.iter().all(|c| origin_of(&c.note) == new));
    // Signing again stays with the new identity, and the log verifies whole.
    restored
        .citizen(&cw, w.demo.citizens[3].id)
        .await
        .expect("view");
    w.clock.advance_seconds(60);
    let again = restored.checkpoint_log().await.expect("sign");
    assert!(!again.is_empty() && again.iter().all(|c| origin_of(&c.note) == new));
    let report = restored.verify_log().await.expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let text = export_jsonl(&restored, &dpo).await;
    assert!(text.contains(&format!(
        "Ny identitet for adgangsloggen: {new} afløser {first}"
    )));
    skjold_app::audit::check_export(&text, &keys, &[], 0).expect("the export checks");
    restored.close().await;
    let _ = std::fs::remove_dir_all(&scratch);
}

/// A copy of the whole installation's files (data, key store, master key) in another place,
/// as a test system made from production would be: the copy is another file, so it signs
/// under a new identity of its own and never under the original's.
async fn a_copied_database_starts_a_new_log_identity_on(backend: Backend) {
    use skjold_app::App;
    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &w.demo.citizens[0]).await;
    assert!(!w.app.checkpoint_log().await.expect("sign").is_empty());
    let original = w.db.store.audit().log_verifier().await.expect("key");
    let from = w.db.data_dir().expect("a SQLite directory");
    w.app.close().await;
    let copy = crate::erasure::scratch_dir();
    for f in std::fs::read_dir(&from).expect("dir").flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), copy.join(f.file_name())).expect("copy");
        }
    }
    let store = skjold_store::Store::open(&skjold_store::Location {
        data_dir: copy.clone(),
        database_url: None,
        master_key: Some(skjold_store::testdb::TestDb::master_key()),
        key_store_url: None,
    })
    .await
    .expect("the copy opens");
    let copied = App::new(store, w.clock.clone());
    copied
        .citizen(&cw, w.demo.citizens[1].id)
        .await
        .expect("view");
    w.clock.advance_seconds(60);
    let signed = copied.checkpoint_log().await.expect("sign");
    assert!(!signed.is_empty());
    assert!(
        signed.iter().all(|c| origin_of(&c.note) != original.name()),
        "the copy signed under the original's identity: {signed:?}"
    );
    let report = copied.verify_log().await.expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    copied.close().await;
    let _ = std::fs::remove_dir_all(&copy);
}

/// A witness on its own HTTP port follows the log: the server's round shows it every new
/// checkpoint with a consistency proof, it cosigns, the cosignatures are kept and travel
/// with exports; k-of-n checks count them. A forged checkpoint, a stale old size and an
/// unknown log are refused with the protocol's codes, and change nothing.
async fn witnesses_cosign_the_log_and_refuse_what_does_not_fit(backend: Backend) {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use skjold_app::audit::CosignatureVerifier;
    use skjold_app::witnesses::{WitnessConfig, WitnessService};
    use std::sync::Arc;
    use tower::ServiceExt;

    let w = World::new(backend, 8).await;
    let cw = w.actor("sagsbehandler").await;
    w.search(&cw, &w.demo.citizens[0]).await;
    w.app.checkpoint_log().await.expect("sign");
    let keys = w.app.log_verifiers().await.expect("keys");
    let dir = crate::erasure::scratch_dir();
    let service = Arc::new(
        WitnessService::open(&dir.join("w1"), "tilsynet.invalid/witness", &keys[..1])
            .expect("witness"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let addr = listener.local_addr().expect("addr");
    let serving = tokio::spawn(skjold_web::serve_witness(
        listener,
        service.clone(),
        std::future::pending(),
    ));
    let witness_key = CosignatureVerifier::parse(&service.key()).expect("key");
    let never = WitnessService::open(&dir.join("w2"), "nabokommune.invalid/witness", &keys[..1])
        .expect("witness");
    let never_key = CosignatureVerifier::parse(&never.key()).expect("key");
    let config = vec![WitnessConfig {
        url: format!("http://{addr}"),
        key: witness_key.clone(),
    }];

    // First contact, then two more rounds as the log grows.
    let round = w.app.send_to_witnesses(&config).await.expect("round");
    assert_eq!(round[0].problem, None);
    assert_eq!(round[0].cosigned, 1);
    for c in &w.demo.citizens[1..3] {
        w.app.citizen(&cw, c.id).await.expect("view");
        w.clock.advance_seconds(60);
        w.app.checkpoint_log().await.expect("sign");
        let round = w.app.send_to_witnesses(&config).await.expect("round");
        assert_eq!((round[0].cosigned, round[0].problem.clone()), (1, None));
    }
    // Nothing new: nothing sent.
    let idle = w.app.send_to_witnesses(&config).await.expect("round");
    assert_eq!((idle[0].cosigned, idle[0].problem.clone()), (0, None));

    let both = [witness_key.clone(), never_key.clone()];
    let (size, by) = w.app.latest_cosigners(&both).await.expect("cosigners");
    assert!(size > 0);
    assert_eq!(by, ["tilsynet.invalid/witness"]);

    // The export carries the cosignatures: 1 of the 2 witnesses, not 2.
    // An export asks the witnesses first, so even the checkpoint over its own record is
    // cosigned.
    let dpo = w.actor("dpo").await;
    let text = export_jsonl(&w.app.clone().with_witnesses(config.clone()), &dpo).await;
    let keys = w.app.log_verifiers().await.expect("keys");
    skjold_app::audit::check_export(&text, &keys, &both, 1).expect("1 of 2");
    let refused = skjold_app::audit::check_export(&text, &keys, &both, 2).expect_err("2 of 2");
    assert!(refused.to_string().contains("at least 2"), "{refused}");

    // The export's checkpoint was cosigned too: the witness is there now.
    let (size, by) = w.app.latest_cosigners(&both).await.expect("cosigners");
    assert_eq!(by, ["tilsynet.invalid/witness"]);

    // At the HTTP interface: a stale old size, an unknown log, garbage.
    let router = skjold_web::witness_router(service.clone());
    let post = |body: String| {
        router.clone().oneshot(
            Request::post("/add-checkpoint")
                .body(Body::from(body))
                .expect("request"),
        )
    };
    let proof = w.app.log_consistency(0, None).await.expect("proof");
    let stale = post(proof.clone()).await.expect("answer");
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(
        stale.headers()["content-type"].to_str().expect("type"),
        "text/x.tlog.size"
    );
    let body = http_body_util::BodyExt::collect(stale.into_body())
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(String::from_utf8_lossy(&body), format!("{size}\n"));
    let unknown = skjold_store::audit::NoteSigner::new("skjold.invalid/access-log/other", &[4; 32]);
    let note = unknown.sign(&skjold_store::audit::Checkpoint {
        origin: unknown.name().into(),
        size: 1,
        root: [0; 32],
        extensions: Vec::new(),
    });
    assert_eq!(
        post(format!("old 0\n\n{note}"))
            .await
            .expect("answer")
            .status(),
        StatusCode::NOT_FOUND
    );
    // A checkpoint under the log's origin signed by another key: forbidden.
    let origin = keys[0].split('+').next().expect("name").to_owned();
    let impostor = skjold_store::audit::NoteSigner::new(origin.clone(), &[5; 32]);
    let forged = impostor.sign(&skjold_store::audit::Checkpoint {
        origin,
        size: size + 10,
        root: [1; 32],
        extensions: Vec::new(),
    });
    assert_eq!(
        post(format!("old {size}\n\n{forged}"))
            .await
            .expect("answer")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("nonsense".into()).await.expect("answer").status(),
        StatusCode::BAD_REQUEST
    );
    // The witness still follows the log from where it was.
    let state = std::fs::read_to_string(dir.join("w1/witness-state.json")).expect("state");
    assert!(state.contains(&format!("\"size\": {size}")), "{state}");
    serving.abort();
    w.done().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// An installation from before the log was one tree has an open shard of format 1 (its own
/// tree, the old leaf, the old key). The first new entry closes it and opens the same
/// month's shard of format 2 (`.1`); the old shard gets its final checkpoint under the old
/// key, keeps verifying, and its entries export with their proofs beside the new ones.
async fn an_upgraded_log_keeps_its_old_shards_and_goes_on_as_one_tree(backend: Backend) {
    use skjold_store::audit::{LEGACY_LEAF_FORMAT, merkle::Frontier};
    let t = skjold_store::testdb::TestDb::new(backend).await;
    let db = t.db().clone();
    let audit = t.store.audit();
    let month = shard_of(crate::common::NOW);
    // Three entries as the old version wrote them, and its head.
    let mut frontier = Frontier::default();
    for i in 0..3u64 {
        let e = LeafEntry {
            format: LEGACY_LEAF_FORMAT,
            shard: month.clone(),
            index: i,
            id: uuid::Uuid::new_v4(),
            at: crate::common::NOW.micros() - 1000 + i as i64,
            user_id: None,
            organisation_id: None,
            use_kind: "oversight".into(),
            subject_id: None,
            criterion: (i == 1).then(String::new),
            purpose: "Vedligehold af adgangsloggen".into(),
            outcome: "allowed".into(),
            detail: format!("gammel post {i} med \"citat\" & <tegn>"),
            stand_in: None,
        };
        exec(&db, &forged_insert(backend, &e)).await;
        frontier.push(e.leaf_hash());
    }
    exec(
        &db,
        &format!(
            "INSERT INTO log_shard (id, opened_at, size, frontier, leaf_format, start) VALUES ({}, {}, 3, {}, 1, 0)",
            sql_text(&month),
            crate::common::NOW.micros() - 1000,
            sql_bytes(backend, &frontier.to_bytes())
        ),
    )
    .await;

    // The new version logs on.
    audit
        .log_system_events(crate::common::NOW, "ny post", 4)
        .await
        .expect("logged");
    let signed = audit
        .checkpoint_log(crate::common::NOW)
        .await
        .expect("sign");
    let shards: Vec<&str> = signed.iter().map(|c| c.shard.as_str()).collect();
    let next = format!("{month}.1");
    assert_eq!(shards, [month.as_str(), next.as_str()]);
    assert!(
        signed[0]
            .note
            .contains(&format!("/access-log/{month}\n3\n")),
        "{}",
        signed[0].note
    );
    assert!(
        signed[1]
            .note
            .starts_with(skjold_store::audit::ORIGIN_PREFIX)
    );
    assert!(signed[1].note.contains("\n4\n"), "{}", signed[1].note);
    assert!(signed[1].note.contains(&format!("skjold-shard {next} 0 ")));

    let report = audit.verify_log().await.expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, 7);
    assert_eq!(report.shards.len(), 2);
    assert!(report.shards[0].closed);

    let keys = audit.log_verifiers().await.expect("keys");
    assert_eq!(keys.len(), 2, "the identity's key and the old one");
    let export = audit
        .export_log(&LogFilter::default(), None, crate::common::NOW)
        .await
        .expect("export");
    assert_eq!(export.entries.len(), 7);
    for format in [Format::Jsonl, Format::Csv] {
        let text = String::from_utf8(export.write(format)).expect("utf-8");
        verify_export(&text, &keys, &[], 0).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        // Without the old key the old shard's checkpoint cannot be checked.
        assert!(verify_export(&text, &keys[..1], &[], 0).is_err());
    }

    // An old entry changed in the database is still found, in its old shard.
    disarm(&db).await;
    exec(
        &db,
        &format!(
            "UPDATE access_log SET detail = 'ændret' WHERE shard = {} AND idx = 1",
            sql_text(&month)
        ),
    )
    .await;
    let report = audit.verify_log().await.expect("verify");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].shard, month);
    assert_eq!(report.problems[0].index, Some(1));
    t.cleanup().await;
}

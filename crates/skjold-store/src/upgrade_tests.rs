//! Upgrading an installation of the version that kept the keys in the data database: the
//! store moves them into the key store when it opens, before the migration that drops their
//! tables, and the citizens' data opens as before. On SQLite, and on PostgreSQL when
//! `SKJOLD_TEST_POSTGRES_URL` is set.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use base64::Engine;
use uuid::Uuid;

use skjold_core::{Actor, Cpr, FieldKey, Role};

use crate::crypto::KeyRing;
use crate::db::{self, Db, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, execute};
use crate::keystore::{KEY_STORE_FILE, KeyStore, KeyStorePlace};
use crate::{DATA_FILE, Location, Now, Store};

const MASTER: [u8; 32] = [0x33; 32];
/// The last migration before the key store.
const OLD_VERSION: i64 = 11;
const NOW: Now = skjold_core::Timestamp(1_795_435_200_000_000);

/// What the old installation holds.
struct Old {
    controller: Uuid,
    user: Uuid,
    subject: Uuid,
    cpr: Cpr,
    wrapped: Vec<u8>,
    organisation_wrapped: Vec<u8>,
}

/// The data migrations up to `OLD_VERSION`, as the old version ran them.
async fn migrate_old(db: &Db) {
    let all = match db {
        Db::Sqlite(_) => &SQLITE_MIGRATIONS,
        Db::Postgres(_) => &POSTGRES_MIGRATIONS,
    };
    let old = sqlx::migrate::Migrator {
        migrations: Cow::Owned(
            all.iter()
                .filter(|m| m.version <= OLD_VERSION)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    match db {
        Db::Sqlite(p) => old.run(p).await.expect("old migrations"),
        Db::Postgres(p) => old.run(p).await.expect("old migrations"),
    }
}

/// A municipality, a caseworker, and a citizen whose name and CPR number are sealed under
/// a key kept, wrapped, in the data database's `subject_key`, as the old version did.
async fn old_installation(db: &Db) -> Old {
    migrate_old(db).await;
    let keys = KeyRing::from_master(&MASTER).split().0;
    let controller = Uuid::new_v4();
    let user = Uuid::new_v4();
    let subject = Uuid::new_v4();
    let cpr = Cpr::parse("070761-4285").expect("cpr");
    let (key, wrapped) = keys.new_subject_key(subject).expect("key");
    let (_, organisation_wrapped) = keys.new_subject_key(controller).expect("key");
    let mut tx = db.write().await.expect("tx");
    execute!(
        &mut tx,
        "INSERT INTO organisation (id, kind, name, created_at) VALUES ($1, 'municipality', 'Gammelby Kommune', $2)",
        controller,
        NOW.micros()
    )
    .expect("organisation");
    execute!(
        &mut tx,
        "INSERT INTO app_user (id, organisation_id, username, display_name, role, active, created_at) \
         VALUES ($1, $2, 'sb', 'Sagsbehandler', 'caseworker', $3, $4)",
        user,
        controller,
        true,
        NOW.micros()
    )
    .expect("user");
    execute!(
        &mut tx,
        "INSERT INTO data_subject (id, controller_id, cpr_hash, created_at) VALUES ($1, $2, $3, $4)",
        subject,
        controller,
        keys.cpr_hash(&cpr).as_slice(),
        NOW.micros()
    )
    .expect("subject");
    execute!(
        &mut tx,
        "INSERT INTO subject_key (subject_id, wrapped_key, master_key_id, created_at) VALUES ($1, $2, $3, $4)",
        subject,
        wrapped.as_slice(),
        keys.id(),
        NOW.micros()
    )
    .expect("subject key");
    execute!(
        &mut tx,
        "INSERT INTO organisation_key (organisation_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
        controller,
        organisation_wrapped.as_slice(),
        NOW.micros()
    )
    .expect("organisation key");
    for (field, value) in [
        (FieldKey::Cpr, cpr.formatted()),
        (FieldKey::Name, "Mette Gammel".into()),
    ] {
        let sealed = key.seal(subject, field.key(), &value).expect("seal");
        execute!(
            &mut tx,
            "INSERT INTO personal_datum (id, subject_id, field_key, ciphertext, source, collected_at, restricted) \
             VALUES ($1, $2, $3, $4, 'Registrering', $5, $6)",
            Uuid::new_v4(),
            subject,
            field.key(),
            sealed.as_slice(),
            NOW.micros(),
            false
        )
        .expect("datum");
    }
    tx.commit().await.expect("commit");
    Old {
        controller,
        user,
        subject,
        cpr,
        wrapped,
        organisation_wrapped,
    }
}

fn location(dir: &Path, database_url: Option<String>) -> Location {
    Location {
        data_dir: dir.to_owned(),
        database_url,
        master_key: Some(base64::engine::general_purpose::STANDARD.encode(MASTER)),
        key_store_url: None,
    }
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skjold-upgrade-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Opens the old installation with this version and checks what became of it.
async fn upgrade(location: &Location, db: &Db, old: &Old) {
    let store = Store::open(location)
        .await
        .expect("the new version opens it");
    // The keys left the data database, and are in the key store.
    assert!(!db.has_table("subject_key").await.expect("tables"));
    assert!(!db.has_table("organisation_key").await.expect("tables"));
    assert_eq!(
        store
            .key_store
            .subject_key(old.subject)
            .await
            .expect("read"),
        Some(old.wrapped.clone())
    );
    assert_eq!(
        store
            .key_store
            .organisation_key(old.controller)
            .await
            .expect("read"),
        Some(old.organisation_wrapped.clone())
    );
    // The citizen is found and opens as before.
    let actor = Actor {
        user_id: old.user,
        username: "sb".into(),
        display_name: "Sagsbehandler".into(),
        role: Role::Caseworker,
        organisation_id: old.controller,
        organisation_name: "Gammelby Kommune".into(),
        controller_id: old.controller,
    };
    let found = store
        .gate()
        .find_subject(&actor, &old.cpr, NOW)
        .await
        .expect("search");
    assert_eq!(found, Some(old.subject));
    let view = store
        .gate()
        .subject_view(&actor, old.subject, NOW)
        .await
        .expect("record");
    assert_eq!(view.value(FieldKey::Name), Some("Mette Gammel"));
    store.close().await;
    // Opening again changes nothing.
    let again = Store::open(location).await.expect("opens again");
    assert_eq!(
        again
            .key_store
            .subject_key(old.subject)
            .await
            .expect("read"),
        Some(old.wrapped.clone())
    );
    again.close().await;
}

#[tokio::test]
async fn keys_move_out_of_an_old_sqlite_installation() {
    let dir = temp_dir();
    let db = Db::open_sqlite(&dir.join(DATA_FILE)).await.expect("open");
    let old = old_installation(&db).await;
    upgrade(&location(&dir, None), &db, &old).await;
    db.close().await;
    // No copy of the key is left in the data file, its log, or anything but the key store.
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(KEY_STORE_FILE) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(!find(&bytes, &old.wrapped), "a key left in {name}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn keys_move_out_of_an_old_postgres_installation() {
    let Some(url) = crate::testdb::postgres_url() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the PostgreSQL tests: set SKJOLD_TEST_POSTGRES_URL"
        );
        return;
    };
    let name = format!(
        "skjold_test_{}_upgrade_{}",
        std::process::id(),
        &Uuid::new_v4().simple().to_string()[..8]
    );
    let admin = Db::connect(&url).await.expect("server");
    let Db::Postgres(pool) = &admin else {
        panic!("not PostgreSQL")
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(pool)
        .await
        .expect("create");
    let data_url = db::with_database(&url, &name);
    let db = Db::connect(&data_url).await.expect("connect");
    let old = old_installation(&db).await;
    let dir = temp_dir();
    // The key store's database does not exist yet: the store creates it beside the data.
    upgrade(&location(&dir, Some(data_url)), &db, &old).await;
    db.close().await;
    for db in [format!("{name}_keys"), name] {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .execute(pool)
            .await
            .expect("drop");
    }
    admin.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn copying_the_old_keys_twice_copies_them_once() {
    let dir = temp_dir();
    let db = Db::open_sqlite(&dir.join(DATA_FILE)).await.expect("open");
    let old = old_installation(&db).await;
    let keys = KeyStore::open(KeyStorePlace::File(dir.join(KEY_STORE_FILE)), &db)
        .await
        .expect("key store");
    assert_eq!(keys.copy_legacy(&db).await.expect("copy"), 2);
    assert_eq!(keys.copy_legacy(&db).await.expect("copy again"), 0);
    assert_eq!(
        keys.subject_key(old.subject).await.expect("read"),
        Some(old.wrapped.clone())
    );
    // A fresh installation has nothing to copy.
    let fresh = Db::open_sqlite(&dir.join("fresh.sqlite"))
        .await
        .expect("open");
    assert_eq!(keys.copy_legacy(&fresh).await.expect("nothing"), 0);
    // The key store refuses to be the data database.
    assert!(
        KeyStore::over(db.clone(), KeyStorePlace::File(dir.join(DATA_FILE)))
            .await
            .is_err()
    );
    // A key store with the keys serves the data; an empty one (the wrong one) does not.
    db.migrate().await.expect("migrate");
    keys.check_serves(&db).await.expect("the right key store");
    let empty = KeyStore::open(KeyStorePlace::File(dir.join("empty.sqlite")), &db)
        .await
        .expect("another key store");
    assert!(matches!(
        empty.check_serves(&db).await,
        Err(crate::StoreError::Config(_))
    ));
    empty.close().await;
    keys.close().await;
    fresh.close().await;
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

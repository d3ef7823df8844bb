//! The two backends keep one schema: both migrations are rendered from
//! `migrations/schema.tmpl.sql` (by `migrations/gen.sh`), and once applied they have the
//! same tables and columns. The same holds for the key store's own schema
//! (`migrations/keystore/`).

use std::collections::BTreeSet;
use std::path::Path;

use skjold_store::Db;
use skjold_store::testdb::TestDb;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The type words of the templates, per backend (as in `migrations/gen.sh`).
const SQLITE_WORDS: &[(&str, &str)] = &[
    ("UUID", "BLOB"),
    ("BYTES", "BLOB"),
    ("BOOL", "INTEGER"),
    ("TS", "INTEGER"),
    ("I64", "INTEGER"),
];
const POSTGRES_WORDS: &[(&str, &str)] = &[
    ("BYTES", "BYTEA"),
    ("BOOL", "BOOLEAN"),
    ("TS", "BIGINT"),
    ("I64", "BIGINT"),
];

/// Replaces whole words, as `sed 's/\bWORD\b/…/g'` does.
fn render(template: &str, words: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let replaced = words
            .iter()
            .find(|(w, _)| *w == word.as_str())
            .map_or(word.as_str(), |(_, r)| r);
        out.push_str(replaced);
        word.clear();
    };
    for c in template.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[test]
fn migrations_are_rendered_from_the_template() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let template = read(&dir.join("schema.tmpl.sql"));
    let sqlite = render(&template, SQLITE_WORDS) + &read(&dir.join("appendonly.sqlite.sql"));
    let postgres = render(&template, POSTGRES_WORDS) + &read(&dir.join("appendonly.postgres.sql"));
    assert_eq!(
        read(&dir.join("sqlite/0001_init.sql")),
        sqlite,
        "run migrations/gen.sh: sqlite/0001_init.sql is stale"
    );
    assert_eq!(
        read(&dir.join("postgres/0001_init.sql")),
        postgres,
        "run migrations/gen.sh: postgres/0001_init.sql is stale"
    );
    let mut later = 0;
    for entry in std::fs::read_dir(&dir).expect("migrations dir") {
        let path = entry.expect("entry").path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".tmpl.sql"))
            .filter(|n| n.starts_with('0'))
        else {
            continue;
        };
        let template = read(&path);
        let extra = |backend: &str| {
            std::fs::read_to_string(dir.join(format!("{name}.{backend}.sql"))).unwrap_or_default()
        };
        let sqlite = render(&template, SQLITE_WORDS) + &extra("sqlite");
        let postgres = render(&template, POSTGRES_WORDS) + &extra("postgres");
        assert_eq!(
            read(&dir.join(format!("sqlite/{name}.sql"))),
            sqlite,
            "run migrations/gen.sh: sqlite/{name}.sql is stale"
        );
        assert_eq!(
            read(&dir.join(format!("postgres/{name}.sql"))),
            postgres,
            "run migrations/gen.sh: postgres/{name}.sql is stale"
        );
        later += 1;
    }
    // Every migration past the first comes from a template.
    let migrations = std::fs::read_dir(dir.join("sqlite"))
        .expect("sqlite dir")
        .count();
    assert_eq!(migrations, later + 1, "a migration without a template");

    // The key store's migrations, from their own templates.
    let keystore = dir.join("keystore");
    let mut templates = 0;
    for entry in std::fs::read_dir(&keystore).expect("keystore dir") {
        let path = entry.expect("entry").path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".tmpl.sql"))
        else {
            continue;
        };
        let template = read(&path);
        for (backend, words) in [("sqlite", SQLITE_WORDS), ("postgres", POSTGRES_WORDS)] {
            assert_eq!(
                read(&keystore.join(format!("{backend}/{name}.sql"))),
                render(&template, words),
                "run migrations/gen.sh: keystore/{backend}/{name}.sql is stale"
            );
        }
        templates += 1;
    }
    let rendered = std::fs::read_dir(keystore.join("sqlite"))
        .expect("keystore sqlite dir")
        .count();
    assert!(templates > 0);
    assert_eq!(
        rendered, templates,
        "a key store migration without a template"
    );
}

async fn columns(db: &Db) -> BTreeSet<(String, String)> {
    let rows: Vec<(String, String)> = match db {
        Db::Sqlite(p) => sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(p)
        .await
        .expect("sqlite columns"),
        Db::Postgres(p) => sqlx::query_as(
            // A partition (the invoice lines' years) is its table's, not a table of its own.
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' \
             AND table_name::text NOT IN (SELECT relname::text FROM pg_class WHERE relispartition)",
        )
        .fetch_all(p)
        .await
        .expect("postgres columns"),
    };
    rows.into_iter().collect()
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let sqlite = TestDb::new(skjold_store::Backend::Sqlite).await;
    let sqlite_cols = columns(sqlite.db()).await;
    let sqlite_keys = columns(sqlite.key_store_db()).await;
    assert!(sqlite_cols.contains(&("disclosure".into(), "justification".into())));
    assert!(sqlite_cols.len() > 80, "{} columns", sqlite_cols.len());
    // The keys live in the key store, and only there (wall 4).
    assert!(sqlite_keys.contains(&("subject_key".into(), "wrapped_key".into())));
    assert!(sqlite_keys.contains(&("organisation_key".into(), "wrapped_key".into())));
    assert!(sqlite_keys.contains(&("erased_subject".into(), "erased_at".into())));
    assert!(
        !sqlite_cols.iter().any(|(_, c)| c == "wrapped_key"),
        "a key column in the data database"
    );
    assert!(sqlite_cols.contains(&("data_subject".into(), "erased_at".into())));
    sqlite.cleanup().await;
    if skjold_store::testdb::postgres_url().is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must compare against PostgreSQL: set SKJOLD_TEST_POSTGRES_URL"
        );
        return;
    }
    let pg = TestDb::new(skjold_store::Backend::Postgres).await;
    let pg_cols = columns(pg.db()).await;
    let pg_keys = columns(pg.key_store_db()).await;
    pg.cleanup().await;
    assert_eq!(sqlite_cols, pg_cols);
    assert_eq!(sqlite_keys, pg_keys);
}

//! Synthetic access-log entries in bulk, for benchmarks on throw-away databases only
//! (`skjold bench breach`: the affected persons of a breach over ten million entries).
//!
//! Ten million entries cannot be made through real uses in reasonable time, so these are
//! written with set-based SQL: one `INSERT … SELECT` per call over a recursive CTE
//! (SQLite) or `generate_series` (PostgreSQL), in one transaction. Nothing else writes
//! entries this way, and no installation can: the functions are methods of [`TestDb`],
//! the scratch database of tests and benchmarks, not of the store an installation opens.
//!
//! The entries stand outside the Merkle tree: `shard`, `idx` and `leaf_hash` are NULL, as
//! for entries from before the log became a tree. Verification counts them apart
//! (`VerifyReport::legacy_entries`); the shards, their checkpoints and the exports (which
//! read `shard IS NOT NULL`) are untouched. The access log's append-only triggers guard
//! UPDATE and DELETE only, so inserting is allowed.
//!
//! [`TestDb::bench_fill_tree_log`] is the other kind: entries inside the Merkle tree, for
//! measuring verification over a large log (`skjold bench log --verify-entries`). Their
//! leaf hashes must be computed, so they are made in Rust and appended with the same
//! sequencing and insert as the log writer, in large transactions.

use std::ops::Range;

use serde_json::json;
use uuid::Uuid;

use crate::audit::entry::LogRow;
use crate::db::{Db, Tx, execute};
use crate::testdb::TestDb;
use crate::{Now, StoreError};

/// One party writing synthetic entries: a user, the organisation it acts for, its share of
/// the entries, and the citizens its entries concern.
#[derive(Debug, Clone)]
pub struct FillParty {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    /// Its share: this many parts of the sum of all parties' weights.
    pub weight: u32,
    /// The citizens its entries concern, as indices into [`FillPlan::subjects`]; each
    /// entry names one of them, evenly at random.
    pub subjects: Range<usize>,
}

/// What to fill: `entries` entries in all, the `i`-th at `from + i·(until − from)/entries`
/// (in time order, as a log grows). Of every hundred, 8 are searches naming no citizen,
/// 1 is a refused view of a citizen and 91 are allowed views; which party writes an entry
/// and which citizen it names are fixed pseudo-random functions of `i`, so the same plan
/// gives the same log.
#[derive(Debug, Clone)]
pub struct FillPlan {
    pub parties: Vec<FillParty>,
    /// Citizens that exist (the entries' `subject_id`).
    pub subjects: Vec<Uuid>,
    pub from: Now,
    pub until: Now,
    pub entries: u64,
}

impl FillPlan {
    fn check(&self, range: &Range<u64>) -> Result<(), StoreError> {
        let bad = |what: &str| Err(StoreError::Config(format!("bench fill: {what}")));
        if self.parties.is_empty() || self.parties.iter().all(|p| p.weight == 0) {
            return bad("no party with a share");
        }
        if self
            .parties
            .iter()
            .any(|p| p.subjects.is_empty() || p.subjects.end > self.subjects.len())
        {
            return bad("a party's citizens are not among the plan's");
        }
        if self.until <= self.from || self.entries == 0 || self.entries > 1_000_000_000 {
            return bad("the period or the number of entries is out of bounds");
        }
        if range.start > range.end || range.end > self.entries {
            return bad("the range is not within the plan's entries");
        }
        Ok(())
    }

    /// One row per share ("slot") of a party: `[user, organisation, first citizen, how
    /// many citizens]`, ids as 32 hex digits; an entry's party is its slot's.
    fn slots_json(&self) -> String {
        let slots: Vec<_> = self
            .parties
            .iter()
            .flat_map(|p| {
                let row = json!([
                    p.user_id.simple().to_string(),
                    p.organisation_id.simple().to_string(),
                    p.subjects.start,
                    p.subjects.len()
                ]);
                std::iter::repeat_n(row, p.weight as usize)
            })
            .collect();
        serde_json::Value::Array(slots).to_string()
    }

    fn subjects_json(&self) -> String {
        let ids: Vec<String> = self
            .subjects
            .iter()
            .map(|s| s.simple().to_string())
            .collect();
        serde_json::Value::from(ids).to_string()
    }

    fn slot_count(&self) -> i64 {
        self.parties.iter().map(|p| i64::from(p.weight)).sum()
    }
}

/// The entry's fields, from its number `i`: its time, its slot (party), a hash for its
/// citizen, and its kind (0-7 a search, 8 a refused view, 9-99 a view). The hashes are
/// multiplicative (Knuth), the high bits of a 32-bit product kept; the same text runs on
/// both backends ($3 the start, $4 the step, $5 the number of slots).
const ENTRY_FIELDS: &str = "$3 + i * $4 AS at, \
     (i * 2654435761) % 4294967296 / 4096 % $5 AS slot, \
     (i * 2246822519 + 374761393) % 4294967296 / 4096 AS hs, \
     (i * 3266489917 + 668265263) % 4294967296 / 4096 % 100 AS kind";

/// The columns filled, and the values after the id; `e` is the entry, `p` its party and
/// `s` its citizen.
const INSERT_HEAD: &str = "INSERT INTO access_log (id, at, user_id, organisation_id, use_kind, \
     subject_id, purpose, outcome, detail)";
const VALUES_TAIL: &str = "e.at, p.user_id, p.organisation_id, \
     CASE WHEN e.kind < 8 THEN 'search' ELSE 'view' END, \
     CASE WHEN e.kind < 8 THEN NULL ELSE s.id END, \
     'Sagsbehandling', \
     CASE WHEN e.kind = 8 THEN 'denied' ELSE 'allowed' END, \
     CASE WHEN e.kind < 8 THEN 'Søgning (syntetisk benchmark-post)' \
          WHEN e.kind = 8 THEN 'Visning af borger afvist (syntetisk benchmark-post)' \
          ELSE 'Borgerens oplysninger vist (syntetisk benchmark-post)' END";
const JOINS: &str = "JOIN bench_fill_party p ON p.slot = e.slot \
     JOIN bench_fill_subject s ON s.n = p.subject_from + e.hs % p.subject_span";

/// SQLite: the entries from a recursive CTE. Ids are UUIDv7 (the entry's millisecond, then
/// random bits), so the primary key grows at its end as a real log's would not need to.
fn sqlite_insert() -> String {
    format!(
        "WITH RECURSIVE seq(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $2) \
         {INSERT_HEAD} SELECT \
         unhex(printf('%012x7%03x%x%015x', e.at / 1000, random() & 4095, 8 + (random() & 3), \
                      random() & 1152921504606846975)), \
         {VALUES_TAIL} \
         FROM (SELECT {ENTRY_FIELDS} FROM seq) e {JOINS}"
    )
}

/// PostgreSQL: the entries from `generate_series`, ids UUIDv7-shaped as on SQLite (the
/// random part from an md5 of the entry's number).
fn postgres_insert() -> String {
    format!(
        "{INSERT_HEAD} SELECT \
         (lpad(to_hex(e.at / 1000), 12, '0') || '7' || substr(e.m, 1, 3) || '8' \
          || substr(e.m, 4, 15))::uuid, \
         {VALUES_TAIL} \
         FROM (SELECT {ENTRY_FIELDS}, md5(i::text) AS m \
               FROM generate_series($1::bigint, $2::bigint - 1) AS i) e {JOINS}"
    )
}

/// The parties' slots and the citizens, as temporary tables for the insert to join.
async fn load_plan(tx: &mut Tx, plan: &FillPlan) -> Result<(), StoreError> {
    let (uuid, int, on_commit) = match tx {
        Tx::Sqlite(_) => ("BLOB", "INTEGER", ""),
        Tx::Postgres(_) => ("UUID", "BIGINT", " ON COMMIT DROP"),
    };
    let party = format!(
        "CREATE TEMP TABLE bench_fill_party (slot {int} PRIMARY KEY, user_id {uuid} NOT NULL, \
         organisation_id {uuid} NOT NULL, subject_from {int} NOT NULL, \
         subject_span {int} NOT NULL){on_commit}"
    );
    let subject = format!(
        "CREATE TEMP TABLE bench_fill_subject (n {int} PRIMARY KEY, id {uuid} NOT NULL){on_commit}"
    );
    execute!(&mut *tx, &party)?;
    execute!(&mut *tx, &subject)?;
    let (slots, subjects) = match tx {
        Tx::Sqlite(_) => (
            "INSERT INTO bench_fill_party SELECT key, unhex(value ->> 0), unhex(value ->> 1), \
             value ->> 2, value ->> 3 FROM json_each($1)",
            "INSERT INTO bench_fill_subject SELECT key, unhex(value) FROM json_each($1)",
        ),
        Tx::Postgres(_) => (
            "INSERT INTO bench_fill_party SELECT n - 1, (v ->> 0)::uuid, (v ->> 1)::uuid, \
             (v ->> 2)::bigint, (v ->> 3)::bigint \
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(v, n)",
            "INSERT INTO bench_fill_subject SELECT n - 1, v::uuid \
             FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS t(v, n)",
        ),
    };
    execute!(&mut *tx, slots, plan.slots_json())?;
    execute!(&mut *tx, subjects, plan.subjects_json())?;
    Ok(())
}

impl TestDb {
    /// **For benchmarks on this throw-away database only.** Inserts the entries numbered
    /// `range` of `plan` into the access log, directly and outside the Merkle tree (see the
    /// module), in one transaction; returns how many were inserted. Call it with
    /// consecutive ranges to fill a large log in steps.
    pub async fn bench_fill_access_log(
        &self,
        plan: &FillPlan,
        range: Range<u64>,
    ) -> Result<u64, StoreError> {
        plan.check(&range)?;
        if range.is_empty() {
            return Ok(0);
        }
        let db = &self.store.audit().db;
        let step = (plan.until.micros() - plan.from.micros()) / db_i64(plan.entries);
        let args = (
            db_i64(range.start),
            db_i64(range.end),
            plan.from.micros(),
            step.max(1),
            plan.slot_count(),
        );
        // SQLite: a page cache large enough for the indexes' growing ends, for the fill
        // only (set back afterwards, so the measurements see the default).
        let cache = match db {
            Db::Sqlite(pool) => {
                let size: i64 = sqlx::query_scalar("PRAGMA cache_size")
                    .fetch_one(pool)
                    .await?;
                Some(size)
            }
            Db::Postgres(_) => None,
        };
        let mut tx = db.write().await?;
        if cache.is_some() {
            execute!(&mut tx, "PRAGMA cache_size = -524288")?;
        }
        load_plan(&mut tx, plan).await?;
        let sql = match db {
            Db::Sqlite(_) => sqlite_insert(),
            Db::Postgres(_) => postgres_insert(),
        };
        let inserted = execute!(&mut tx, &sql, args.0, args.1, args.2, args.3, args.4)?;
        if let Some(size) = cache {
            execute!(&mut tx, "DROP TABLE temp.bench_fill_party")?;
            execute!(&mut tx, "DROP TABLE temp.bench_fill_subject")?;
            execute!(&mut tx, &format!("PRAGMA cache_size = {size}"))?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// **For benchmarks on this throw-away database only.** Appends `entries` synthetic
    /// entries stamped `at` to the Merkle log (see the module), through the log's own
    /// sequencing and insert, in transactions of 20 000; returns how many. Of every hundred,
    /// 8 are searches naming no citizen, 1 a refused view and 91 views, as in [`FillPlan`];
    /// they name no user (users are foreign keys), a random citizen each.
    pub async fn bench_fill_tree_log(&self, entries: u64, at: Now) -> Result<u64, StoreError> {
        const BATCH: u64 = 20_000;
        let db = &self.store.audit().db;
        let mut done = 0;
        while done < entries {
            let n = (entries - done).min(BATCH);
            let mut rows: Vec<LogRow> = (done..done + n)
                .map(|i| {
                    let kind = i.wrapping_mul(3_266_489_917) % 4_294_967_296 / 4096 % 100;
                    let mut row = LogRow::system(at, "");
                    row.use_kind = if kind < 8 { "search" } else { "view" };
                    row.subject_id = (kind >= 8).then(Uuid::new_v4);
                    row.criterion = (kind < 8).then(|| "navn=Jensen".to_owned());
                    row.purpose = "Sagsbehandling".into();
                    row.outcome = if kind == 8 { "denied" } else { "allowed" };
                    row.detail = match kind {
                        0..8 => "Søgning (syntetisk benchmark-post)",
                        8 => "Visning af borger afvist (syntetisk benchmark-post)",
                        _ => "Borgerens oplysninger vist (syntetisk benchmark-post)",
                    }
                    .into();
                    row
                })
                .collect();
            let mut tx = db.write().await?;
            crate::log::insert_all(&mut tx, &mut rows).await?;
            tx.commit().await?;
            done += n;
        }
        Ok(done)
    }

    /// **For benchmarks on this throw-away database only.** Brings the planner's statistics
    /// up to date after a bulk fill: `ANALYZE` on SQLite; on PostgreSQL `VACUUM (ANALYZE)`
    /// of the access log (what autovacuum does after a bulk insert) and `ANALYZE` of the
    /// rest.
    pub async fn bench_analyze(&self) -> Result<(), StoreError> {
        match &self.store.audit().db {
            Db::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
            Db::Postgres(pool) => {
                sqlx::query("VACUUM (ANALYZE) access_log")
                    .execute(pool)
                    .await?;
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }
}

fn db_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

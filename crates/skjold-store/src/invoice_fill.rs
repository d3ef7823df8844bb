//! Synthetic anonymised invoice lines in bulk, for benchmarks on throw-away PostgreSQL
//! databases only (`skjold bench invoice-report`: one organisation's report over ten
//! million lines).
//!
//! Ten million lines cannot be sent through the pipeline in reasonable time, so they are
//! written with set-based SQL (`generate_series`), and the aggregate the reports read is
//! then built from them with one `INSERT … SELECT … GROUP BY`: the same rows the pipeline
//! keeps as documents enter the analyses, made at once. Like the access log's fill, this is
//! a method of [`TestDb`], the scratch database of tests and benchmarks.

use uuid::Uuid;

use crate::db::{Db, Tx, execute};
use crate::testdb::TestDb;
use crate::{Now, StoreError};

/// What to fill: `lines` lines (three per document) spread evenly over `organisations`
/// and over the `years` years before `until`; each organisation buys from `suppliers`
/// suppliers, each supplier selling in one category (of 50 segments, ten families each).
#[derive(Debug, Clone)]
pub struct InvoiceFillPlan {
    pub organisations: Vec<Uuid>,
    pub lines: u64,
    pub years: u32,
    pub suppliers: u32,
    pub until: Now,
}

impl TestDb {
    /// Fills the plan's lines and builds the aggregate from them; returns how many lines.
    /// PostgreSQL only: refused on SQLite.
    pub async fn bench_fill_invoices(&self, plan: &InvoiceFillPlan) -> Result<u64, StoreError> {
        let bad = |what: &str| Err(StoreError::Config(format!("invoice fill: {what}")));
        if plan.organisations.is_empty() || plan.lines < 3 || plan.years == 0 || plan.suppliers == 0
        {
            return bad("nothing to fill");
        }
        if !matches!(&self.store.audit().db, Db::Postgres(_)) {
            return bad("PostgreSQL only");
        }
        let last_year = i64::from(plan.until.local_date().year());
        let documents = i64::try_from(plan.lines / 3).unwrap_or(i64::MAX);
        let days = i64::from(plan.years) * 365;
        let mut tx = self.store.audit().db.write().await?;
        let Tx::Postgres(pg) = &mut tx else {
            return bad("PostgreSQL only");
        };
        sqlx::query(
            "INSERT INTO invoice_line (document_id, line_no, organisation_id, issue_year, issue_date, \
             supplier, category_top, category_sub, quantity, unit_code, amount) \
             SELECT md5(d::text)::uuid, l, ($1::uuid[])[1 + d % cardinality($1::uuid[])], \
             EXTRACT(YEAR FROM x.day)::bigint, to_char(x.day, 'YYYY-MM-DD'), \
             'Leverandør ' || x.s, 'UNSPSC ' || (10 + x.s % 50), \
             'UNSPSC ' || (10 + x.s % 50) || (x.s / 50 % 10), (1 + l)::text, 'EA', \
             1000 + (d * 7919 + l * 104729) % 500000 \
             FROM generate_series(0, $2 - 1) d CROSS JOIN generate_series(0, 2) l \
             CROSS JOIN LATERAL (SELECT make_date($3::int, 12, 31) - ((d * 2654435761) % $4)::int AS day, \
             (d * 40503) % $5 AS s) x",
        )
        .bind(&plan.organisations)
        .bind(documents)
        .bind(last_year)
        .bind(days)
        .bind(i64::from(plan.suppliers))
        .execute(&mut **pg)
        .await?;
        execute!(
            &mut tx,
            "INSERT INTO invoice_spend (organisation_id, month, category_top, category_sub, supplier, invoices, lines, amount) \
             SELECT organisation_id, substr(issue_date, 1, 7), category_top, category_sub, supplier, \
             COUNT(DISTINCT document_id), COUNT(*), SUM(amount) FROM invoice_line \
             GROUP BY organisation_id, substr(issue_date, 1, 7), category_top, category_sub, supplier \
             ON CONFLICT (organisation_id, month, category_top, category_sub, supplier) DO UPDATE SET \
             invoices = invoice_spend.invoices + excluded.invoices, lines = invoice_spend.lines + excluded.lines, \
             amount = invoice_spend.amount + excluded.amount"
        )?;
        execute!(
            &mut tx,
            "INSERT INTO invoice_totals (organisation_id, invoices, small_invoices, small_amount, other_currency) \
             SELECT organisation_id, COUNT(DISTINCT document_id), 0, 0, 0 FROM invoice_line GROUP BY organisation_id \
             ON CONFLICT (organisation_id) DO UPDATE SET invoices = invoice_totals.invoices + excluded.invoices"
        )?;
        tx.commit().await?;
        let mut tx = self.store.audit().db.write().await?;
        execute!(&mut tx, "ANALYZE invoice_line")?;
        execute!(&mut tx, "ANALYZE invoice_spend")?;
        tx.commit().await?;
        Ok(u64::try_from(documents).unwrap_or(0) * 3)
    }
}

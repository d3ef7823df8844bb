//! Oversight (DESIGN.md walls 1–2): the ledger and the access log for the privacy officer
//! and the auditor, their verifiable export, and the closed orders whose deletion is late.

use uuid::Uuid;

use skjold_core::disclosures::LedgerEntry;
use skjold_core::orders::OrderSummary;
use skjold_core::oversight::{AccessEntry, COUNT_CAP, Cursor, LogFilter, Page, UseKind};
use skjold_core::{Action, Actor};

use super::disclosures::{LEDGER_SELECT, LedgerRow};
use super::*;

#[derive(sqlx::FromRow)]
struct AccessRow {
    id: Uuid,
    at: i64,
    user_id: Option<Uuid>,
    username: Option<String>,
    organisation_name: Option<String>,
    use_kind: String,
    subject_id: Option<Uuid>,
    criterion: Option<String>,
    purpose: String,
    outcome: String,
    detail: String,
    stand_in_id: Option<Uuid>,
}

impl Gate {
    /// Closed orders of the actor's municipality whose supplier has not confirmed deletion
    /// by the deadline, for the privacy officer's follow-up. No personal data: not logged.
    pub async fn overdue_deletions(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<OrderSummary>, StoreError> {
        require(actor, Action::ReadFollowUp)?;
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{ORDER_SELECT} WHERE o.controller_id = $1 AND o.status = 'closed' AND o.deletion_confirmed_at IS NULL \
             ORDER BY o.closed_at, o.id"
        );
        let rows = fetch!(&mut tx, fetch_all, OrderRow, &sql, actor.controller_id)?;
        let today = now.local_date();
        Ok(rows
            .iter()
            .map(OrderRow::summary)
            .filter(|o| {
                o.closing
                    .as_ref()
                    .is_some_and(|c| c.deletion_overdue(today))
            })
            .collect())
    }

    /// How many entries the access log holds (for benchmarks and operations; no content).
    pub async fn access_log_len(&self) -> Result<u64, StoreError> {
        let mut tx = self.db.read().await?;
        let n: i64 = scalar!(&mut tx, fetch_one, i64, "SELECT COUNT(*) FROM access_log")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The disclosure ledger, for the privacy officer and the auditor, with its sealed
    /// justifications opened.
    pub async fn ledger(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<Page<LedgerEntry>, StoreError> {
        require(actor, Action::ReadLogs)?;
        let mut tx = self.db.read().await?;
        let limit = filter.limit.clamp(1, 10_000);
        const WHERE: &str = "WHERE d.controller_id = $1 AND ($2 IS NULL OR d.subject_id = $2) \
             AND ($3 IS NULL OR d.supplier_id = $3) AND ($4 IS NULL OR d.at >= $4) AND ($5 IS NULL OR d.at < $5)";
        let mut rows = fetch!(
            &mut tx,
            fetch_all,
            LedgerRow,
            &format!(
                "{LEDGER_SELECT} {WHERE} AND ($6 IS NULL OR d.at < $6 OR (d.at = $6 AND d.id > $7)) \
                 ORDER BY d.at DESC, d.id LIMIT $8"
            ),
            actor.controller_id,
            filter.subject_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            filter.after.map(|c| c.at.micros()),
            filter.after.map(|c| c.id),
            limit + 1
        )?;
        let total = scalar!(
            &mut tx,
            fetch_one,
            i64,
            &format!("SELECT COUNT(*) FROM (SELECT 1 FROM disclosure d {WHERE} LIMIT $6) counted"),
            actor.controller_id,
            filter.subject_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            COUNT_CAP as i64
        )?;
        let next = next_page(&mut rows, limit, |r| Cursor {
            at: Now::from_micros(r.at),
            id: r.id,
        });
        let subjects: Vec<Uuid> = rows.iter().map(|r| r.subject_id).collect();
        let wrapped = self.wrapped_keys(&subjects).await?;
        tx.commit().await?;
        // The ledger says which citizen had what disclosed: one entry per citizen shown
        // (wall 1), or one for the search itself when nothing matched.
        let criterion = describe_filter(filter);
        let mut subjects: Vec<Option<Uuid>> = rows.iter().map(|r| Some(r.subject_id)).collect();
        subjects.sort();
        subjects.dedup();
        if subjects.is_empty() {
            subjects.push(filter.subject_id);
        }
        let entries = subjects
            .into_iter()
            .map(|subject| {
                let mut u = Use::new(
                    UseKind::Oversight,
                    subject,
                    PURPOSE_OVERSIGHT,
                    "Videregivelsesloggen gennemset",
                );
                u.criterion = Some(criterion.clone());
                log_row(Some(actor), now, &u, true)
            })
            .collect();
        self.log.append_all(entries).await?;
        Ok(Page {
            entries: self.open_ledger(rows, &wrapped)?,
            next,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// The access log, for the privacy officer and the auditor.
    pub async fn access_log(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<Page<AccessEntry>, StoreError> {
        require(actor, Action::ReadLogs)?;
        let mut tx = self.db.read().await?;
        let limit = filter.limit.clamp(1, 10_000);
        // The log covers the municipality's own users and the suppliers acting for it.
        const FROM: &str = "FROM access_log l LEFT JOIN organisation o ON o.id = l.organisation_id \
             WHERE (o.id IS NULL OR o.id = $1 OR o.parent_id = $1 OR o.kind = 'supplier') \
             AND ($2 IS NULL OR l.subject_id = $2) AND ($3 IS NULL OR l.user_id = $3) \
             AND ($4 IS NULL OR l.organisation_id = $4) AND ($5 IS NULL OR l.at >= $5) AND ($6 IS NULL OR l.at < $6)";
        let mut rows = fetch!(
            &mut tx,
            fetch_all,
            AccessRow,
            &format!(
                "SELECT l.id, l.at, l.user_id, u.username, o.name AS organisation_name, l.use_kind, l.subject_id, \
                 l.criterion, l.purpose, l.outcome, l.detail, l.stand_in_id \
                 {} AND ($7 IS NULL OR l.at < $7 OR (l.at = $7 AND l.id > $8)) ORDER BY l.at DESC, l.id LIMIT $9",
                FROM.replacen(
                    "FROM access_log l ",
                    "FROM access_log l LEFT JOIN app_user u ON u.id = l.user_id ",
                    1
                )
            ),
            actor.controller_id,
            filter.subject_id,
            filter.user_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            filter.after.map(|c| c.at.micros()),
            filter.after.map(|c| c.id),
            limit + 1
        )?;
        let total = scalar!(
            &mut tx,
            fetch_one,
            i64,
            &format!("SELECT COUNT(*) FROM (SELECT 1 {FROM} LIMIT $7) counted"),
            actor.controller_id,
            filter.subject_id,
            filter.user_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            COUNT_CAP as i64
        )?;
        let next = next_page(&mut rows, limit, |r| Cursor {
            at: Now::from_micros(r.at),
            id: r.id,
        });
        let mut u = Use::new(
            UseKind::Oversight,
            filter.subject_id,
            PURPOSE_OVERSIGHT,
            "Adgangsloggen gennemset",
        );
        u.criterion = Some(describe_filter(filter));
        self.log_after(tx, Some(actor), now, &u, true).await?;
        let entries = rows
            .into_iter()
            .map(|r| AccessEntry {
                id: r.id,
                at: Now::from_micros(r.at),
                user_id: r.user_id,
                username: r.username,
                organisation_name: r.organisation_name,
                use_kind: UseKind::parse(&r.use_kind).unwrap_or(UseKind::View),
                subject_id: r.subject_id,
                criterion: r.criterion,
                purpose: r.purpose,
                allowed: r.outcome == "allowed",
                detail: r.detail,
                stand_in: r.stand_in_id,
            })
            .collect();
        Ok(Page {
            entries,
            next,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

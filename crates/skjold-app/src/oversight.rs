//! Oversight: the disclosure ledger and the access log for the privacy officer and the
//! auditor, their verifiable export, and the follow-up page (stand-in accesses, deletions
//! not confirmed in time). Reading the logs is itself logged, by the gate.

use serde::Serialize;
use uuid::Uuid;

use skjold_core::disclosures::LedgerEntry;
use skjold_core::error::DateInput;
use skjold_core::oversight::{AccessEntry, Cursor, FollowUp, LogFilter, Page};
use skjold_core::text::{self, MIN_NOTE};
use skjold_core::{Action, Actor, Input, Problem};
use skjold_store::audit::export::Format;

use crate::catalogue::parse_date;
use crate::{App, AppError, require};

/// Filters for the oversight views. A CPR number is resolved through the gate (and
/// logged); an unknown citizen or user gives an empty result, not an error.
#[derive(Debug, Clone, Default)]
pub struct OversightQuery {
    pub cpr: Option<String>,
    pub username: Option<String>,
    pub organisation: Option<Uuid>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub until: Option<String>,
    /// The citizen by internal id (as a page's address carries it, never the CPR number).
    pub subject: Option<Uuid>,
    /// Where the page starts (see [`Cursor`]); the first page without it.
    pub after: Option<Cursor>,
    /// Entries per page; [`PAGE`] without it, at most [`MAX_PAGE`].
    pub limit: Option<u32>,
}

/// The entries a page of the ledger or the access log shows unless asked for another
/// number.
pub const PAGE: u32 = 100;

/// The most entries one page may hold.
pub const MAX_PAGE: u32 = 1_000;

/// An export of the access log, ready to download.
#[derive(Debug, Clone)]
pub struct Export {
    pub filename: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// The privacy officer's follow-up: stand-in accesses to look at, and closed orders
    /// whose supplier has not confirmed deletion in time.
    pub async fn follow_up(&self, actor: &Actor) -> Result<FollowUp, AppError> {
        let now = self.now();
        let gate = self.store().gate();
        Ok(FollowUp {
            stand_ins: gate.stand_ins(actor, now).await?,
            overdue_deletions: gate.overdue_deletions(actor, now).await?,
        })
    }

    /// The privacy officer records the follow-up of a stand-in access, with a note.
    pub async fn follow_up_stand_in(
        &self,
        actor: &Actor,
        id: Uuid,
        note: &str,
    ) -> Result<(), AppError> {
        require(actor, Action::RecordFollowUp)?;
        let note = text::at_least(Input::Note, note, MIN_NOTE)?;
        Ok(self
            .store()
            .gate()
            .follow_up_stand_in(actor, id, note, self.now())
            .await?)
    }

    /// The citizen a CPR number names, to filter the logs by (the look-up is logged); an
    /// unknown number gives the nil id, which matches nothing.
    pub async fn log_subject(&self, actor: &Actor, cpr: &str) -> Result<Uuid, AppError> {
        require(actor, Action::ReadLogs)?;
        self.filter_subject(actor, cpr).await
    }

    async fn log_filter(&self, actor: &Actor, q: &OversightQuery) -> Result<LogFilter, AppError> {
        require(actor, Action::ReadLogs)?;
        let subject_id = match non_empty(&q.cpr) {
            Some(cpr) => Some(self.log_subject(actor, cpr).await?),
            None => q.subject,
        };
        let user_id = match non_empty(&q.username) {
            Some(u) => Some(
                self.store()
                    .directory()
                    .actor_by_username(u)
                    .await?
                    .map_or_else(Uuid::nil, |a| a.user_id),
            ),
            None => None,
        };
        let from = match non_empty(&q.from) {
            Some(s) => Some(parse_date(s, DateInput::From)?.start_local()),
            None => None,
        };
        let until = match non_empty(&q.until) {
            Some(s) => Some(parse_date(s, DateInput::Until)?.plus_days(1).start_local()),
            None => None,
        };
        Ok(LogFilter {
            subject_id,
            user_id,
            organisation_id: q.organisation,
            from,
            until,
            after: q.after,
            limit: i64::from(q.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE)),
        })
    }

    /// A page of the disclosure ledger, newest first.
    pub async fn ledger(
        &self,
        actor: &Actor,
        q: &OversightQuery,
    ) -> Result<Page<LedgerEntry>, AppError> {
        let f = self.log_filter(actor, q).await?;
        Ok(self.store().gate().ledger(actor, &f, self.now()).await?)
    }

    /// The access log as a verifiable export (JSON Lines or CSV, with inclusion proofs
    /// and signed checkpoints), filtered like the log view. `format` is `jsonl` or `csv`.
    pub async fn export_access_log(
        &self,
        actor: &Actor,
        q: &OversightQuery,
        format: &str,
    ) -> Result<Export, AppError> {
        let format: Format = format
            .parse()
            .map_err(|_: String| Problem::ExportFormat(format.chars().take(20).collect()))?;
        let filter = self.log_filter(actor, q).await?;
        let audit = self.store().audit();
        // The export is logged and signed first; the witnesses then cosign the checkpoint
        // that covers it, so the export's checkpoints carry their cosignatures.
        audit.log_export(actor, &filter, self.now()).await?;
        if !self.witnesses.is_empty() {
            for round in self.send_to_witnesses(&self.witnesses).await? {
                if let Some(problem) = round.problem {
                    tracing::warn!(witness = %round.witness, %problem, "a witness did not cosign before an export");
                }
            }
        }
        let export = audit
            .export_log(&filter, Some(actor.controller_id), self.now())
            .await?;
        Ok(Export {
            filename: match format {
                Format::Jsonl => "adgangslog.jsonl",
                Format::Csv => "adgangslog.csv",
            },
            content_type: format.content_type(),
            bytes: export.write(format),
        })
    }

    /// The disclosure ledger as a file people can read (CSV or JSON Lines), filtered like
    /// the ledger's page and newest first: names, Copenhagen time and Danish labels, with
    /// the ids in columns of their own. Read page by page through the gate, so the reads
    /// are logged as the page's are.
    pub async fn export_ledger(
        &self,
        actor: &Actor,
        q: &OversightQuery,
        format: &str,
    ) -> Result<Export, AppError> {
        let format: Format = format
            .parse()
            .map_err(|_: String| Problem::ExportFormat(format.chars().take(20).collect()))?;
        let mut filter = self.log_filter(actor, q).await?;
        filter.limit = i64::from(MAX_PAGE);
        let mut rows = Vec::new();
        loop {
            let page = self
                .store()
                .gate()
                .ledger(actor, &filter, self.now())
                .await?;
            rows.extend(page.entries.iter().map(LedgerLine::from));
            match page.next {
                Some(next) => filter.after = Some(next),
                None => break,
            }
        }
        Ok(Export {
            filename: match format {
                Format::Jsonl => "videregivelser.jsonl",
                Format::Csv => "videregivelser.csv",
            },
            content_type: format.content_type(),
            bytes: write_lines(&rows, format),
        })
    }

    /// A page of the access log, newest first.
    pub async fn access_log(
        &self,
        actor: &Actor,
        q: &OversightQuery,
    ) -> Result<Page<AccessEntry>, AppError> {
        let f = self.log_filter(actor, q).await?;
        Ok(self
            .store()
            .gate()
            .access_log(actor, &f, self.now())
            .await?)
    }
}

/// One disclosure in the ledger's export: what a reader needs first, then the ids.
#[derive(Debug, Serialize)]
struct LedgerLine {
    tidspunkt: String,
    bestilling: String,
    #[serde(rename = "leverandør")]
    leverandoer: String,
    videregivet: String,
    #[serde(rename = "måde")]
    maade: &'static str,
    begrundelse: String,
    #[serde(rename = "formål")]
    formaal: String,
    retsgrundlag: String,
    besluttet_af: String,
    borgers_data_slettet: &'static str,
    tidspunkt_utc: String,
    videregivelse_id: Uuid,
    bestilling_id: Uuid,
    borger_id: Uuid,
    #[serde(rename = "felt_nøgle")]
    felt_noegle: Option<&'static str>,
    besked_id: Option<Uuid>,
}

impl From<&LedgerEntry> for LedgerLine {
    fn from(e: &LedgerEntry) -> LedgerLine {
        LedgerLine {
            tidspunkt: e.at.danish(),
            bestilling: e.order_reference.clone(),
            leverandoer: e.supplier_name.clone(),
            videregivet: e.what(),
            maade: e.kind.danish(),
            begrundelse: e.justification.clone().unwrap_or_default(),
            formaal: e.purpose.clone(),
            retsgrundlag: e.legal_basis.clone(),
            besluttet_af: e.decided_by.clone(),
            borgers_data_slettet: if e.erased { "ja" } else { "nej" },
            tidspunkt_utc: e.at.rfc3339(),
            videregivelse_id: e.id,
            bestilling_id: e.order_id,
            borger_id: e.subject_id,
            felt_noegle: e.field.map(|f| f.key()),
            besked_id: e.message_id,
        }
    }
}

/// Rows as CSV (a header of the field names) or as JSON Lines.
fn write_lines<T: Serialize>(rows: &[T], format: Format) -> Vec<u8> {
    match format {
        Format::Csv => {
            let mut plain = csv::Writer::from_writer(Vec::new());
            // Writing plain rows to memory cannot fail.
            for r in rows {
                let _ = plain.serialize(r);
            }
            let plain = plain.into_inner().unwrap_or_default();
            // Free text a spreadsheet would take as a formula stays text, as in the rights
            // export.
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut cells = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(plain.as_slice());
            for record in cells.records().flatten() {
                let _ = w.write_record(record.iter().map(crate::rights::formula_safe));
            }
            w.into_inner().unwrap_or_default()
        }
        Format::Jsonl => {
            let mut out = Vec::new();
            for r in rows {
                out.extend(serde_json::to_vec(r).unwrap_or_default());
                out.push(b'\n');
            }
            out
        }
    }
}

//! The procurement-data collaboration in the UI: an organisation's spend analysis with its
//! charts and tables, the upload of its invoices, the downloads (the report as CSV or
//! JSON, its own documents back to its designated contact); and the analysis service's
//! participants and review queue.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::invoices::Upload;
use skjold_core::invoices::report::{Report, Slice};
use skjold_core::invoices::review::{
    Decision, ForReview, Participant, QueueState, Queued, ReviewReason, marked,
};
use skjold_core::invoices::sharing::Suppressed;
use skjold_core::{Action, Timestamp};

use super::{Layout, NO_FLASH, PagePath, answer, danish_count, error_page, page_with, render};
use crate::AppState;
use crate::download::download;
use crate::session::{CsrfForm, CsrfMultipart, WebUser};

const SPEND: &str = "/fakturaer";
const QUEUE: &str = "/analyse/gennemgang";
/// The largest upload (UI and API): a zip of some thousand invoices.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
/// Documents on one page of the queue.
const PER_PAGE: u32 = 50;

/// Øre as Danish writes kroner: `1.234.567,89 kr.`
pub(crate) fn kroner(øre: i64) -> String {
    let sign = if øre < 0 { "-" } else { "" };
    let abs = øre.unsigned_abs();
    format!("{sign}{},{:02} kr.", danish_count(abs / 100), abs % 100)
}

/// Per mille as a Danish percentage: `88,5 %`.
fn percent(per_mille: u32) -> String {
    format!("{},{} %", per_mille / 10, per_mille % 10)
}

/// A category's name on the page: its code, or «Uklassificeret».
fn category_label(key: &str) -> String {
    if key.is_empty() {
        "Uklassificeret".to_owned()
    } else {
        key.to_owned()
    }
}

fn suppressed(why: Suppressed) -> &'static str {
    match why {
        Suppressed::TooFewInvoices => "Skjult: færre end 5 fakturaer",
        Suppressed::TooFewOrganisations => "Skjult: færre end 3 organisationer",
        Suppressed::Dominated => "Skjult: én organisation udgør over halvdelen",
        Suppressed::Complementary => "Skjult: ville afsløre en skjult celle",
    }
}

/// A row of a table with its bar in the chart beside it.
pub(crate) struct Bar {
    pub label: String,
    pub invoices: String,
    pub amount: String,
    pub negative: bool,
    /// Where the bar stands in the chart (its top, in the chart's units) and how wide.
    pub y: u32,
    pub width: u32,
}

/// A chart's row height, and its bars' room, in its own units (the chart is 1000 wide: the
/// labels take the left 400).
pub(crate) const ROW: u32 = 40;
const BAR_ROOM: u32 = 580;

/// A breakdown shown as a chart with its table beside it.
pub(crate) struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    /// The table's first column.
    pub key_heading: &'static str,
    pub bars: Vec<Bar>,
    /// In the chart's units.
    pub height: u32,
}

impl Chart {
    fn new(
        id: &'static str,
        title: &'static str,
        key_heading: &'static str,
        bars: Vec<Bar>,
    ) -> Chart {
        Chart {
            id,
            title,
            key_heading,
            height: u32::try_from(bars.len()).unwrap_or(0) * ROW,
            bars,
        }
    }
}

fn bars(slices: &[Slice], label: impl Fn(&str) -> String) -> Vec<Bar> {
    let max = slices
        .iter()
        .map(|s| s.amount.unsigned_abs())
        .max()
        .unwrap_or(0)
        .max(1);
    slices
        .iter()
        .zip(0u32..)
        .map(|(s, i)| {
            // In per mille of the longest.
            let length = u32::try_from(s.amount.unsigned_abs() * 1000 / max).unwrap_or(1000);
            Bar {
                label: label(&s.key),
                invoices: danish_count(s.invoices),
                amount: kroner(s.amount),
                negative: s.amount < 0,
                y: i * ROW,
                width: (length * BAR_ROOM / 1000).max(1),
            }
        })
        .collect()
}

pub(crate) struct ComparisonRow {
    pub category: String,
    pub own: String,
    pub own_per_citizen: Option<String>,
    /// Organisations, average per organisation, per citizen; or why it is hidden.
    pub average: Result<(usize, String, Option<String>), &'static str>,
}

pub(crate) struct ReportView {
    pub invoices: String,
    pub lines: String,
    pub amount: String,
    pub per_citizen: Option<String>,
    pub classified: Option<String>,
    pub small_invoices: String,
    pub small_amount: String,
    pub other_currency: u64,
    /// By category, by month (the development over time), by supplier (the largest, then
    /// the rest as one row).
    pub charts: Vec<Chart>,
    pub comparison: Vec<ComparisonRow>,
}

impl ReportView {
    fn of(r: &Report) -> ReportView {
        let per = |amount: i64| {
            r.citizens
                .and_then(|c| i64::try_from(c).ok())
                .filter(|c| *c > 0)
                .map(|c| kroner(amount / c))
        };
        // The named suppliers and the rest on one scale.
        let mut all = r.by_supplier.clone();
        if let Some(o) = &r.other_suppliers {
            all.push(Slice {
                key: "Øvrige leverandører".to_owned(),
                ..o.clone()
            });
        }
        let suppliers = bars(&all, |k| k.to_owned());
        ReportView {
            invoices: danish_count(r.invoices),
            lines: danish_count(r.lines),
            amount: kroner(r.amount),
            per_citizen: per(r.amount),
            classified: r.classified_per_mille.map(percent),
            small_invoices: danish_count(r.small.invoices),
            small_amount: kroner(r.small.amount),
            other_currency: r.other_currency,
            charts: vec![
                Chart::new(
                    "kategori",
                    "Forbrug pr. kategori",
                    "Kategori",
                    bars(&r.by_category, category_label),
                ),
                Chart::new(
                    "maaned",
                    "Forbrug pr. måned",
                    "Måned",
                    bars(&r.by_month, |k| k.to_owned()),
                ),
                Chart::new(
                    "leverandoer",
                    "De største leverandører",
                    "Leverandør",
                    suppliers,
                ),
            ],
            comparison: r
                .comparison
                .iter()
                .map(|c| ComparisonRow {
                    category: category_label(&c.category),
                    own: kroner(c.own),
                    own_per_citizen: c.own_per_citizen.map(kroner),
                    average: c
                        .average
                        .map(|a| {
                            (
                                a.organisations,
                                kroner(a.per_organisation),
                                a.per_citizen.map(kroner),
                            )
                        })
                        .map_err(suppressed),
                })
                .collect(),
        }
    }
}

pub(crate) struct ParticipationView {
    pub service: String,
    pub contact: String,
    pub citizens: Option<String>,
    pub currency: String,
    pub joined: String,
    pub ended: Option<String>,
}

#[derive(Template)]
#[template(path = "invoices/spend.html")]
struct SpendPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    participation: Option<ParticipationView>,
    may_send: bool,
    is_contact: bool,
    report: Option<ReportView>,
    sent: Option<SentQuery>,
}

/// What an upload did, carried in the address it redirects to.
#[derive(Deserialize, Default, Clone)]
pub struct SentQuery {
    #[serde(default)]
    nye: Option<u32>,
    #[serde(default)]
    kendte: Option<u32>,
    #[serde(default)]
    gennemgang: Option<u32>,
}

async fn spend_page(
    state: &AppState,
    user: &WebUser,
    sent: Option<SentQuery>,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let participation = state.app.invoice_participation(&user.actor).await?;
        let report = match (&participation, user.actor.may(Action::ReadOwnSpend)) {
            (Some(_), true) => Some(state.app.spend_report(&user.actor).await?),
            _ => None,
        };
        Ok::<_, AppError>((participation, report))
    }
    .await;
    match loaded {
        Ok((participation, report)) => page_with(
            &error,
            &SpendPage {
                layout: Layout::for_user(user, SPEND).with_flash(&NO_FLASH),
                csrf: user.csrf.clone(),
                error: error.clone(),
                is_contact: participation
                    .as_ref()
                    .is_some_and(|p| p.contact_user_id == user.actor.user_id),
                may_send: user.actor.may(Action::SendInvoices)
                    && participation.as_ref().is_some_and(|p| p.ended_at.is_none()),
                participation: participation.map(|p| ParticipationView {
                    service: p.service_name,
                    contact: p.contact_name,
                    citizens: p.citizens.map(danish_count),
                    currency: p.currency,
                    joined: p.joined_at.local_date().danish(),
                    ended: p.ended_at.map(|e| e.local_date().danish()),
                }),
                report: report.as_ref().map(ReportView::of),
                sent,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn spend(
    State(state): State<AppState>,
    user: WebUser,
    Query(sent): Query<SentQuery>,
) -> Response {
    let sent = sent.nye.is_some().then_some(sent);
    spend_page(&state, &user, sent, None).await
}

/// Receives invoices from the upload form (UBL files, or zips of them).
pub async fn send(
    State(state): State<AppState>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    let uploads: Vec<Upload> = f
        .files
        .into_iter()
        .map(|u| Upload {
            name: u.filename,
            bytes: u.bytes,
        })
        .collect();
    let result = state
        .app
        .send_invoices(&user.actor, uploads)
        .await
        .map(|sent| {
            let new = sent.new_documents();
            format!(
                "{SPEND}?nye={new}&kendte={}&gennemgang={}#modtaget",
                sent.documents.len() - new,
                sent.to_review()
            )
        });
    answer(&user, result, |error| {
        spend_page(&state, &user, None, Some(error))
    })
    .await
}

/// The report as CSV (one row per category, supplier and month breakdown) or JSON.
pub async fn report_download(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(format): PagePath<String>,
) -> Response {
    let report = match state.app.spend_report(&user.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(Some(&user), e),
    };
    match format.as_str() {
        "rapport.json" => match serde_json::to_vec_pretty(&report) {
            Ok(json) => download("forbrugsanalyse.json", "application/json", json),
            Err(e) => error_page(Some(&user), AppError::Internal(e.to_string())),
        },
        "rapport.csv" => match report_csv(&report) {
            Ok(csv) => download("forbrugsanalyse.csv", "text/csv; charset=utf-8", csv),
            Err(e) => error_page(Some(&user), AppError::Internal(e.to_string())),
        },
        _ => super::boundary_page_for(Some(&user), crate::i18n::Boundary::NoRoute),
    }
}

fn report_csv(r: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(["opdeling", "noegle", "fakturaer", "beloeb_oere"])?;
    let sections = [
        ("kategori", &r.by_category),
        ("leverandoer", &r.by_supplier),
        ("maaned", &r.by_month),
    ];
    for (name, slices) in sections {
        for s in slices {
            w.write_record([name, &s.key, &s.invoices.to_string(), &s.amount.to_string()])?;
        }
    }
    if let Some(o) = &r.other_suppliers {
        w.write_record([
            "leverandoer",
            "Øvrige leverandører",
            &o.invoices.to_string(),
            &o.amount.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The organisation's own documents as received, as a zip, for its designated contact.
pub async fn own_data(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.return_invoices(&user.actor).await {
        Ok(zip) => download("egne-fakturaer.zip", "application/zip", zip),
        Err(e) => error_page(Some(&user), e),
    }
}

// ---- the analysis service -------------------------------------------------------------

pub(crate) struct ParticipantRow {
    pub organisation: String,
    pub contact: String,
    pub joined: String,
    pub ended: Option<String>,
    pub analysed: String,
    pub waiting: String,
    pub rejected: String,
    pub raw_kept: String,
}

#[derive(Template)]
#[template(path = "invoices/participants.html")]
struct ParticipantsPage {
    layout: Layout,
    participants: Vec<ParticipantRow>,
    may_review: bool,
}

pub async fn participants(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.invoice_participants(&user.actor).await {
        Ok(list) => render(&ParticipantsPage {
            layout: Layout::for_user(&user, "/analyse"),
            may_review: user.actor.may(Action::ReviewInvoices),
            participants: list
                .into_iter()
                .map(|p: Participant| ParticipantRow {
                    organisation: p.organisation,
                    contact: p.contact,
                    joined: p.joined_at.local_date().danish(),
                    ended: p.ended_at.map(|e| e.local_date().danish()),
                    analysed: danish_count(p.analysed),
                    waiting: danish_count(p.waiting),
                    rejected: danish_count(p.rejected),
                    raw_kept: danish_count(p.raw_kept),
                })
                .collect(),
        }),
        Err(e) => error_page(Some(&user), e),
    }
}

fn reason_text(r: &ReviewReason) -> String {
    match r {
        ReviewReason::PersonalDataInFreeText { xpath, kinds } => format!(
            "Personoplysninger i fritekst ({}) i {xpath}",
            kinds.join(", ")
        ),
        ReviewReason::LinesDoNotAddUp => {
            "Linjerne summerer ikke til det beløb, afsenderen har angivet".to_owned()
        }
    }
}

/// How long ago, in whole days.
fn days_since(at: Timestamp, now: Timestamp) -> i64 {
    (now.micros() - at.micros()).max(0) / 86_400_000_000
}

pub(crate) struct QueueRow {
    pub id: Uuid,
    pub organisation: String,
    pub document_id: String,
    pub supplier: String,
    pub issue_date: String,
    pub received: String,
    pub days: i64,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "invoices/queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    waiting: String,
    oldest: Option<(String, i64)>,
    page: u32,
    next: Option<String>,
    flash: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    side: Option<String>,
    #[serde(default)]
    ok: Option<String>,
}

pub async fn queue(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<QueueQuery>,
) -> Response {
    let page = q
        .side
        .as_deref()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let now = state.app.now();
    match state
        .app
        .invoice_queue(&user.actor, i64::from(PER_PAGE), offset)
        .await
    {
        Ok((queued, QueueState { waiting, oldest })) => render(&QueuePage {
            layout: Layout::for_user(&user, QUEUE),
            next: (u64::from(page) * u64::from(PER_PAGE) < waiting)
                .then(|| format!("{QUEUE}?side={}", page + 1)),
            rows: queued
                .into_iter()
                .map(|d: Queued| QueueRow {
                    id: d.id,
                    organisation: d.organisation,
                    document_id: d.document_id,
                    supplier: d.supplier,
                    issue_date: d.issue_date.danish(),
                    received: d.received_at.danish(),
                    days: days_since(d.received_at, now),
                    reasons: d.reasons.iter().map(reason_text).collect(),
                })
                .collect(),
            waiting: danish_count(waiting),
            oldest: oldest.map(|o| (o.danish(), days_since(o, now))),
            page,
            flash: match q.ok.as_deref() {
                Some("godkendt") => Some("Dokumentet er godkendt og indgår nu i analyserne."),
                Some("afvist") => Some("Dokumentet er afvist og holdes uden for analyserne."),
                _ => None,
            },
        }),
        Err(e) => error_page(Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "invoices/review.html")]
struct ReviewPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    doc: ForReview,
    reasons: Vec<String>,
    pieces: Vec<(String, bool)>,
    form: DecisionForm,
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    redact: String,
    #[serde(default)]
    note: String,
}

async fn review_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    form: DecisionForm,
    error: Option<String>,
) -> Response {
    match state.app.invoice_for_review(&user.actor, id).await {
        Ok(doc) => page_with(
            &error,
            &ReviewPage {
                layout: Layout::for_user(user, QUEUE),
                csrf: user.csrf.clone(),
                error: error.clone(),
                reasons: doc.queued.reasons.iter().map(reason_text).collect(),
                pieces: marked(&doc.anonymised)
                    .into_iter()
                    .map(|(p, m)| (p.to_owned(), m))
                    .collect(),
                doc,
                form,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn review(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    review_page(&state, &user, id, DecisionForm::default(), None).await
}

pub async fn decide(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let result = async {
        let approve = f.decision == "approve";
        let decision = Decision::new(approve, &f.redact, &f.note)?;
        state
            .app
            .decide_invoice(&user.actor, id, &decision, &f.note)
            .await?;
        Ok::<_, AppError>(format!(
            "{QUEUE}?ok={}",
            if approve { "godkendt" } else { "afvist" }
        ))
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, id, f, Some(error))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kroner_are_written_the_danish_way() {
        assert_eq!(kroner(123_456_789), "1.234.567,89 kr.");
        assert_eq!(kroner(-5), "-0,05 kr.");
        assert_eq!(kroner(0), "0,00 kr.");
        assert_eq!(percent(885), "88,5 %");
    }
}

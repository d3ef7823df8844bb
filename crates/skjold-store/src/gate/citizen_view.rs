//! The citizen's own view through the gate: the citizen is the actor. They reach only
//! their own record (the [`Citizen`] comes from their session, never from a request), and
//! every opening, filing and consent is logged with no staff member as the actor and the
//! use kind [`UseKind::SelfService`].

use uuid::Uuid;

use skjold_core::citizen_view::{
    Citizen, ConsentOffer, MyCase, MyConsent, MyData, MyDisclosure, MyRecipient, Withdrawal,
};
use skjold_core::consents::{Channel, ConsentChecklist, ConsentView};
use skjold_core::rights::{IntakeChannel, NewCase};
use skjold_core::{Actor, Cpr, Problem};

use super::rights::{
    CASE_SELECT, CaseRow, Filer, ITEM_SELECT, ItemRow, all_items, note_rows, open_items,
};
use super::*;
use crate::gate::disclosures::{LEDGER_SELECT, LedgerRow};

/// The purpose the citizen's own uses are logged with.
const PURPOSE_SELF: &str = "Borgerens egen indsigt og selvbetjening";

fn self_use(subject: Uuid, detail: impl Into<String>) -> Use<'static> {
    Use::new(UseKind::SelfService, Some(subject), PURPOSE_SELF, detail)
}

/// How a citizen's MitID sign-in is recorded as the identity check of a request they file.
const IDENTITY_MITID: &str = "MitID (borgerens eget log-ind)";

#[derive(sqlx::FromRow)]
struct BasisRow {
    name: String,
    art6: String,
    art9: Option<String>,
    national_law: String,
}

#[derive(sqlx::FromRow)]
struct ConsentTextRow {
    id: Uuid,
    channel: String,
    version: i64,
    body: String,
}

/// A version of a consent text as the registry lists it.
#[derive(sqlx::FromRow)]
struct RegistryRow {
    id: Uuid,
    channel: String,
    version: i64,
    body: String,
    checklist: String,
    display_name: Option<String>,
    created_at: i64,
}

/// A consent with its sealed evidence.
#[derive(sqlx::FromRow)]
struct EvidenceRow {
    id: Uuid,
    channel: String,
    notice_version: String,
    evidence: Vec<u8>,
    given_at: i64,
    withdrawn_at: Option<i64>,
}

fn consent_aad(id: Uuid) -> String {
    format!("consent:{id}")
}

impl Gate {
    /// The citizen's record for the CPR number the identity provider vouched for, matched
    /// by its keyed hash; the sign-in is logged on the record. None when the municipality
    /// holds no record of the citizen.
    pub async fn citizen_sign_in(&self, cpr: &Cpr, now: Now) -> Result<Option<Uuid>, StoreError> {
        let hash = self.keys.cpr_hash(cpr);
        let mut tx = self.db.read().await?;
        let found: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM data_subject WHERE cpr_hash = $1 ORDER BY created_at LIMIT 1",
            hash.as_slice()
        )?;
        match found {
            Some(subject) => {
                let u = self_use(subject, "Borgeren loggede ind med MitID");
                self.log_after(tx, None, now, &u, true).await?;
            }
            None => tx.commit().await?,
        }
        Ok(found)
    }

    /// Every item held about the citizen (restricted ones marked, incorrect ones with their
    /// rectification note), grouped by category, with the legal basis of each purpose.
    pub async fn my_data(&self, c: &Citizen, now: Now) -> Result<MyData, StoreError> {
        let mut tx = self.db.read().await?;
        let items = all_items(&mut tx, c.subject_id).await?;
        let notes = note_rows(&mut tx, c.subject_id).await?;
        let bases = fetch!(
            &mut tx,
            fetch_all,
            BasisRow,
            "SELECT name, art6, art9, national_law FROM purpose WHERE organisation_id = $1 \
             AND id IN (SELECT purpose_id FROM personal_datum WHERE subject_id = $2) ORDER BY name",
            c.controller_id,
            c.subject_id
        )?;
        let wrapped = self
            .wrapped_key(c.subject_id)
            .await?
            .ok_or_else(citizen_erased)?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(c.subject_id, "Borgeren så sine oplysninger"),
            true,
        )
        .await?;
        let key = self.keys.unwrap_subject_key(c.subject_id, &wrapped)?;
        let items = open_items(Some(&key), c.subject_id, items, notes)?;
        let bases = bases
            .into_iter()
            .map(|b| {
                let basis = skjold_core::LegalBasis {
                    art6: skjold_core::Art6Basis::parse(&b.art6)
                        .unwrap_or(skjold_core::Art6Basis::PublicTask),
                    art9: b.art9.as_deref().and_then(skjold_core::Art9Basis::parse),
                    national_law: b.national_law,
                };
                (b.name, basis.summary())
            })
            .collect();
        Ok(MyData::grouped(items, bases))
    }

    /// Who received the citizen's data, by order, from the disclosure ledger: the supplier,
    /// the fields, automatic or decided by hand (with the written reason), when; and the
    /// supplier's deletion confirmation once the order ended.
    pub async fn my_recipients(
        &self,
        c: &Citizen,
        now: Now,
    ) -> Result<Vec<MyRecipient>, StoreError> {
        let mut tx = self.db.read().await?;
        let ledger_sql = format!("{LEDGER_SELECT} WHERE d.subject_id = $1 ORDER BY d.at, d.id");
        let ledger = fetch!(&mut tx, fetch_all, LedgerRow, &ledger_sql, c.subject_id)?;
        let order_sql = format!("{ORDER_SELECT} WHERE o.subject_id = $1 ORDER BY o.created_at");
        let orders = fetch!(&mut tx, fetch_all, OrderRow, &order_sql, c.subject_id)?;
        let wrapped = self.wrapped_key(c.subject_id).await?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(
                c.subject_id,
                "Borgeren så, hvem der har modtaget oplysningerne",
            ),
            true,
        )
        .await?;
        let key = self.unwrap_optional(c.subject_id, wrapped.as_deref())?;
        let mut out: Vec<MyRecipient> = Vec::new();
        for row in ledger {
            let e = row.into_model(key.as_ref())?;
            let d = MyDisclosure {
                at: e.at,
                field: e.field,
                kind: e.kind,
                justification: e.justification,
            };
            if let Some(r) = out.iter_mut().find(|r| r.order_id == e.order_id) {
                r.disclosures.push(d);
                continue;
            }
            let order = orders.iter().find(|o| o.id == e.order_id);
            let closing = order.and_then(OrderRow::closing);
            out.push(MyRecipient {
                order_id: e.order_id,
                order_reference: e.order_reference,
                service_type: order.map(|o| o.service_name.clone()).unwrap_or_default(),
                supplier_name: e.supplier_name,
                purpose: e.purpose,
                legal_basis: e.legal_basis,
                disclosures: vec![d],
                closed_at: closing.as_ref().map(|c| c.closed_at),
                deletion_confirmed_at: closing.and_then(|c| c.deletion_confirmed_at),
            });
        }
        out.sort_by(|a, b| {
            let last = |r: &MyRecipient| r.disclosures.last().map(|d| d.at);
            last(b).cmp(&last(a))
        });
        Ok(out)
    }

    /// Logs that the citizen opened the list of who used their data (read by the
    /// application from the signed log itself).
    pub async fn my_log_opened(&self, c: &Citizen, now: Now) -> Result<(), StoreError> {
        let tx = self.db.read().await?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(
                c.subject_id,
                "Borgeren så, hvem der har brugt oplysningerne",
            ),
            true,
        )
        .await
    }

    /// The citizen's rights cases, the newest first: kind, status, deadline, and whether
    /// the answer letter can be read. No texts: not logged.
    pub async fn my_cases(&self, c: &Citizen, now: Now) -> Result<Vec<MyCase>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{CASE_SELECT} WHERE c.subject_id = $2 ORDER BY c.created_at DESC");
        let rows = fetch!(
            &mut tx,
            fetch_all,
            CaseRow,
            &sql,
            super::rights::notices_due_before(now),
            c.subject_id
        )?;
        let letters: Vec<Uuid> = scalar!(
            &mut tx,
            fetch_all,
            Uuid,
            "SELECT case_id FROM rights_letter WHERE subject_id = $1",
            c.subject_id
        )?;
        let today = now.local_date();
        rows.iter()
            .map(|r| {
                let summary = r.summary(today)?;
                Ok(MyCase {
                    data: summary.delivers_data(),
                    letter: letters.contains(&r.id()),
                    summary,
                })
            })
            .collect()
    }

    /// What a granted portability request of the citizen's delivers (art. 20(1)): the
    /// current items processed on consent or a contract, opened, with the case's reference.
    /// Only for the citizen's own answered, granted portability case. Logged.
    pub async fn my_portable_data(
        &self,
        c: &Citizen,
        case_id: Uuid,
        now: Now,
    ) -> Result<(String, Vec<skjold_core::rights::CaseItem>), StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{CASE_SELECT} WHERE c.id = $2 AND c.subject_id = $3");
        let row = fetch!(
            &mut tx,
            fetch_optional,
            CaseRow,
            &sql,
            super::rights::notices_due_before(now),
            case_id,
            c.subject_id
        )?
        .ok_or(StoreError::Refused(Problem::RightsCaseNotFound))?;
        let summary = row.summary(now.local_date())?;
        if !summary.delivers_data() {
            return Err(StoreError::Refused(Problem::RightsCaseNotFound));
        }
        let sql = format!(
            "{ITEM_SELECT} WHERE p.subject_id = $1 AND p.superseded_by IS NULL AND p.removed_at IS NULL \
             AND pu.art6 IN ($2, $3) ORDER BY p.collected_at"
        );
        let items = fetch!(
            &mut tx,
            fetch_all,
            ItemRow,
            &sql,
            c.subject_id,
            skjold_core::Art6Basis::Consent.key(),
            skjold_core::Art6Basis::Contract.key()
        )?;
        let wrapped = self
            .wrapped_key(c.subject_id)
            .await?
            .ok_or_else(citizen_erased)?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(
                c.subject_id,
                format!(
                    "Borgeren hentede sine oplysninger (dataportabilitet, {})",
                    summary.reference
                ),
            ),
            true,
        )
        .await?;
        let key = self.keys.unwrap_subject_key(c.subject_id, &wrapped)?;
        Ok((
            summary.reference,
            open_items(Some(&key), c.subject_id, items, Vec::new())?,
        ))
    }

    /// The letter that answered one of the citizen's cases, opened. Logged.
    pub async fn my_letter(
        &self,
        c: &Citizen,
        case_id: Uuid,
        now: Now,
    ) -> Result<(String, Vec<u8>), StoreError> {
        let mut tx = self.db.read().await?;
        let row: Option<(String, Vec<u8>, String)> = fetch!(
            &mut tx,
            fetch_optional,
            (String, Vec<u8>, String),
            "SELECT l.filename, l.pdf, c.reference FROM rights_letter l JOIN rights_case c ON c.id = l.case_id \
             WHERE l.case_id = $1 AND l.subject_id = $2",
            case_id,
            c.subject_id
        )?;
        let (filename, sealed, reference) =
            row.ok_or(StoreError::Refused(Problem::RightsCaseNotFound))?;
        let wrapped = self
            .wrapped_key(c.subject_id)
            .await?
            .ok_or_else(citizen_erased)?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(
                c.subject_id,
                format!("Borgeren hentede svaret i rettighedssag {reference}"),
            ),
            true,
        )
        .await?;
        let key = self.keys.unwrap_subject_key(c.subject_id, &wrapped)?;
        let pdf = key.open_bytes(c.subject_id, &letter_aad(case_id), &sealed)?;
        Ok((filename, pdf))
    }

    /// Files a rights request the citizen made online: received today, the identity
    /// checked by their MitID sign-in, worked at the municipality (the privacy officer's
    /// desk) until a unit takes it. Logged.
    pub async fn file_my_request(
        &self,
        c: &Citizen,
        case: &NewCase,
        now: Now,
    ) -> Result<(Uuid, String), StoreError> {
        if case.subject_id != c.subject_id || case.channel != IntakeChannel::Online {
            return Err(StoreError::Refused(Problem::RightsCaseNotFound));
        }
        case.check(now.local_date())?;
        let mut tx = self.db.write().await?;
        not_erased(&mut tx, c.subject_id).await?;
        let filer = Filer {
            controller_id: c.controller_id,
            unit_id: c.controller_id,
            user_id: None,
        };
        let (id, reference) = self.write_case(&mut tx, filer, case, now).await?;
        execute!(
            &mut tx,
            "UPDATE rights_case SET identity_method = $1, identity_checked_at = $2 WHERE id = $3",
            IDENTITY_MITID,
            now.micros(),
            id
        )?;
        append_log(
            &mut tx,
            None,
            now,
            &self_use(
                c.subject_id,
                format!(
                    "Borgeren indgav anmodning {reference} ({})",
                    case.kind.key()
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok((id, reference))
    }

    /// The citizen's consents, newest first, each with the text of the version consented
    /// to; and the consents they may give now (the texts in force).
    pub async fn my_consents(
        &self,
        c: &Citizen,
        now: Now,
    ) -> Result<(Vec<MyConsent>, Vec<ConsentOffer>), StoreError> {
        let mut tx = self.db.read().await?;
        let rows: Vec<(Uuid, String, String, i64, Option<i64>)> = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String, String, i64, Option<i64>),
            "SELECT id, channel, notice_version, given_at, withdrawn_at FROM consent WHERE subject_id = $1 \
             ORDER BY given_at DESC, id",
            c.subject_id
        )?;
        let texts = fetch!(
            &mut tx,
            fetch_all,
            ConsentTextRow,
            "SELECT id, channel, version, body FROM consent_text WHERE controller_id = $1 ORDER BY channel, version",
            c.controller_id
        )?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(c.subject_id, "Borgeren så sine samtykker"),
            true,
        )
        .await?;
        let consents: Vec<MyConsent> = rows
            .into_iter()
            .map(|(id, channel, notice_version, given, withdrawn)| {
                let text = texts
                    .iter()
                    .find(|t| t.id.to_string() == notice_version)
                    .map(|t| t.body.clone());
                MyConsent {
                    consent: ConsentView {
                        id,
                        channel,
                        notice_version,
                        given_at: Now::from_micros(given),
                        withdrawn_at: withdrawn.map(Now::from_micros),
                    },
                    text,
                }
            })
            .collect();
        let offers = [Channel::Sms, Channel::Email]
            .into_iter()
            .filter_map(|channel| {
                let t = texts
                    .iter()
                    .filter(|t| t.channel == channel.key())
                    .max_by_key(|t| t.version)?;
                Some(ConsentOffer {
                    channel,
                    version: t.version,
                    text: t.body.clone(),
                    given: consents
                        .iter()
                        .any(|m| m.consent.channel == channel.key() && m.consent.in_force(now)),
                })
            })
            .collect();
        Ok((consents, offers))
    }

    /// The citizen gives consent to the text in force for `channel`. The evidence (who,
    /// how, which text and its version) is sealed with the consent. Logged.
    pub async fn give_my_consent(
        &self,
        c: &Citizen,
        channel: Channel,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        not_erased(&mut tx, c.subject_id).await?;
        let text = fetch!(
            &mut tx,
            fetch_optional,
            ConsentTextRow,
            "SELECT id, channel, version, body FROM consent_text WHERE controller_id = $1 AND channel = $2 \
             ORDER BY version DESC LIMIT 1",
            c.controller_id,
            channel.key()
        )?
        .ok_or(StoreError::Refused(Problem::NoConsentText(channel)))?;
        let in_force: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM consent WHERE subject_id = $1 AND channel = $2 AND withdrawn_at IS NULL",
            c.subject_id,
            channel.key()
        )?;
        if in_force > 0 {
            return Err(StoreError::Refused(Problem::ConsentAlreadyGiven(channel)));
        }
        let key = self.subject_key(c.subject_id).await?;
        let id = Uuid::new_v4();
        let evidence = format!(
            "Givet af borgeren selv i Skjold efter log-ind med MitID, {}. Samtykketekst version {} \
             ({}):\n{}",
            now.rfc3339(),
            text.version,
            text.id,
            text.body
        );
        let sealed = key.seal(c.subject_id, &consent_aad(id), &evidence)?;
        execute!(
            &mut tx,
            "INSERT INTO consent (id, subject_id, channel, notice_version, evidence, recorded_by, given_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            c.subject_id,
            channel.key(),
            text.id.to_string(),
            sealed.as_slice(),
            None::<Uuid>,
            now.micros()
        )?;
        append_log(
            &mut tx,
            None,
            now,
            &self_use(
                c.subject_id,
                format!(
                    "Borgeren gav samtykke til påmindelser via {} (tekst version {})",
                    channel.danish(),
                    text.version
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The citizen withdraws their consent for `channel`, in effect at once, and learns
    /// which suppliers the ledger shows received the channel's field on the basis of
    /// consent. Logged.
    pub async fn withdraw_my_consent(
        &self,
        c: &Citizen,
        channel: Channel,
        now: Now,
    ) -> Result<Withdrawal, StoreError> {
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE consent SET withdrawn_at = $1 WHERE subject_id = $2 AND channel = $3 AND withdrawn_at IS NULL",
            now.micros(),
            c.subject_id,
            channel.key()
        )?;
        if n == 0 {
            return Err(StoreError::Refused(Problem::NoConsentToWithdraw(channel)));
        }
        let recipients: Vec<String> = scalar!(
            &mut tx,
            fetch_all,
            String,
            "SELECT DISTINCT o.name FROM disclosure d JOIN organisation o ON o.id = d.supplier_id \
             WHERE d.subject_id = $1 AND d.field_key = $2 AND d.legal_basis LIKE $3 ORDER BY o.name",
            c.subject_id,
            channel.field().key(),
            "%litra a%"
        )?;
        append_log(
            &mut tx,
            None,
            now,
            &self_use(
                c.subject_id,
                format!(
                    "Borgeren trak samtykket til påmindelser via {} tilbage",
                    channel.danish()
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(Withdrawal {
            channel,
            at: now,
            recipients,
        })
    }

    /// Adds a version of the consent text for `channel` to the registry, with the
    /// checklist's answers; refused unless the checklist passes. The privacy officer's.
    pub async fn add_consent_text(
        &self,
        actor: &Actor,
        channel: Channel,
        checklist: &ConsentChecklist,
        body: &str,
        now: Now,
    ) -> Result<i64, StoreError> {
        require(actor, skjold_core::Action::ManageConsentTexts)?;
        if !checklist.passes() {
            return Err(StoreError::Refused(Problem::ConsentChecklistFails));
        }
        let body = skjold_core::text::text(
            skjold_core::Input::NoticeVersion,
            body,
            skjold_core::text::MAX_TEXT,
        )?;
        let mut tx = self.db.write().await?;
        let version: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COALESCE(MAX(version), 0) + 1 FROM consent_text WHERE controller_id = $1 AND channel = $2",
            actor.controller_id,
            channel.key()
        )?;
        let checklist = serde_json::to_string(checklist)
            .map_err(|e| StoreError::LogWrite(format!("checklist: {e}")))?;
        execute!(
            &mut tx,
            "INSERT INTO consent_text (id, controller_id, channel, version, body, checklist, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            Uuid::new_v4(),
            actor.controller_id,
            channel.key(),
            version,
            body,
            checklist.as_str(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(version)
    }
}

impl Gate {
    /// The consent registry: every version of every consent text of the municipality, with
    /// its checklist and how many consents it carries. The privacy officer writes it; the
    /// auditor reads it too. No personal data: not logged.
    pub async fn consent_texts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<skjold_core::consents::ConsentText>, StoreError> {
        if !actor.may(skjold_core::Action::ReadLogs) {
            require(actor, skjold_core::Action::ManageConsentTexts)?;
        }
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            RegistryRow,
            "SELECT t.id, t.channel, t.version, t.body, t.checklist, u.display_name, t.created_at \
             FROM consent_text t LEFT JOIN app_user u ON u.id = t.created_by \
             WHERE t.controller_id = $1 ORDER BY t.channel, t.version DESC",
            actor.controller_id
        )?;
        // Consents name the version they were given to by the text's id.
        let counts: Vec<(String, i64, i64)> = fetch!(
            &mut tx,
            fetch_all,
            (String, i64, i64),
            "SELECT c.notice_version, COUNT(*), COUNT(c.withdrawn_at) FROM consent c \
             JOIN data_subject d ON d.id = c.subject_id WHERE d.controller_id = $1 GROUP BY c.notice_version",
            actor.controller_id
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let (given, withdrawn) = counts
                    .iter()
                    .find(|(v, _, _)| *v == r.id.to_string())
                    .map_or((0, 0), |(_, g, w)| (*g, *w));
                Some(skjold_core::consents::ConsentText {
                    channel: Channel::parse(&r.channel)?,
                    version: r.version,
                    body: r.body,
                    checklist: serde_json::from_str(&r.checklist).ok()?,
                    created_by: r.display_name,
                    created_at: Now::from_micros(r.created_at),
                    given,
                    withdrawn,
                })
            })
            .collect())
    }
}

fn notice_aad(id: Uuid) -> String {
    format!("notice:{id}")
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: Uuid,
    name: String,
    article: String,
    status: String,
    body: Vec<u8>,
    postponed_until: Option<String>,
    recorded_at: i64,
}

const NOTICE_SELECT: &str = "SELECT n.id, p.name, n.article, n.status, n.body, n.postponed_until, n.recorded_at \
     FROM notice_record n JOIN purpose p ON p.id = n.purpose_id";

impl NoticeRow {
    fn open(
        self,
        key: &crate::crypto::SubjectKey,
        subject: Uuid,
    ) -> Result<skjold_core::citizen_view::NoticeRecord, StoreError> {
        use skjold_core::citizen_view::{NoticeArticle, NoticeRecord, NoticeStatus};
        Ok(NoticeRecord {
            id: self.id,
            purpose: self.name,
            article: NoticeArticle::parse(&self.article).unwrap_or(NoticeArticle::Art14),
            status: NoticeStatus::parse(&self.status)?,
            text: key.open(subject, &notice_aad(self.id), &self.body)?,
            postponed_until: self.postponed_until.and_then(|d| d.parse().ok()),
            recorded_at: Now::from_micros(self.recorded_at),
        })
    }
}

impl Gate {
    /// Records a notice on the citizen: given (its text), postponed (the reason, until a
    /// date) or not given under an exception (the reason). For a caseworker who may open
    /// the record. Logged.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_notice(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        purpose_id: Uuid,
        article: skjold_core::citizen_view::NoticeArticle,
        status: skjold_core::citizen_view::NoticeStatus,
        body: &str,
        postponed_until: Option<skjold_core::Date>,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let stand_in = super::access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
        not_erased(&mut tx, subject_id).await?;
        let key = self.subject_key(subject_id).await?;
        let id = Uuid::new_v4();
        let sealed = key.seal(subject_id, &notice_aad(id), body)?;
        execute!(
            &mut tx,
            "INSERT INTO notice_record (id, subject_id, purpose_id, article, status, body, postponed_until, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            id,
            subject_id,
            purpose_id,
            article.key(),
            status.key(),
            sealed.as_slice(),
            postponed_until.map(|d| d.to_string()),
            actor.user_id,
            now.micros()
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(subject_id),
                PURPOSE_CASEWORK,
                format!(
                    "Underretning efter artikel {} registreret ({})",
                    article.key(),
                    status.key()
                ),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every notice on a citizen's record, for a caseworker who may open it. Logged.
    pub async fn notices(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        now: Now,
    ) -> Result<Vec<skjold_core::citizen_view::NoticeRecord>, StoreError> {
        let mut tx = self.db.read().await?;
        let stand_in = super::access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
        let sql = format!("{NOTICE_SELECT} WHERE n.subject_id = $1 ORDER BY n.recorded_at DESC");
        let rows = fetch!(&mut tx, fetch_all, NoticeRow, &sql, subject_id)?;
        let key = self.subject_key(subject_id).await?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(subject_id),
                PURPOSE_CASEWORK,
                "Borgerens underretninger vist",
            )
            .under(stand_in),
            true,
        )
        .await?;
        rows.into_iter().map(|r| r.open(&key, subject_id)).collect()
    }

    /// The notices the citizen was given (a postponed one shows once it is given).
    /// Logged.
    pub async fn my_notices(
        &self,
        c: &Citizen,
        now: Now,
    ) -> Result<Vec<skjold_core::citizen_view::NoticeRecord>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{NOTICE_SELECT} WHERE n.subject_id = $1 AND n.status = $2 ORDER BY n.recorded_at DESC"
        );
        let rows = fetch!(&mut tx, fetch_all, NoticeRow, &sql, c.subject_id, "given")?;
        let key = self.subject_key(c.subject_id).await?;
        self.log_after(
            tx,
            None,
            now,
            &self_use(c.subject_id, "Borgeren så sine underretninger"),
            true,
        )
        .await?;
        rows.into_iter()
            .map(|r| r.open(&key, c.subject_id))
            .collect()
    }
}

impl Gate {
    /// The proof of a citizen's consents: each consent with its sealed evidence opened (who
    /// gave it, how, when, to which text). For the privacy officer working one of the
    /// citizen's rights cases. Logged with the purpose of handling the citizen's rights.
    pub async fn consent_evidence(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: Now,
    ) -> Result<Vec<(ConsentView, String)>, StoreError> {
        require(actor, skjold_core::Action::ManageConsentTexts)?;
        let mut tx = self.db.read().await?;
        let case = super::rights::case_row(&mut tx, actor, case_id, now).await?;
        let subject = case.subject_id();
        let rows = fetch!(
            &mut tx,
            fetch_all,
            EvidenceRow,
            "SELECT id, channel, notice_version, evidence, given_at, withdrawn_at FROM consent \
             WHERE subject_id = $1 ORDER BY given_at DESC, id",
            subject
        )?;
        let wrapped = self
            .wrapped_key(subject)
            .await?
            .ok_or_else(citizen_erased)?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Rights,
                Some(subject),
                super::rights::PURPOSE_RIGHTS,
                "Bevis for borgerens samtykker vist",
            ),
            true,
        )
        .await?;
        let key = self.keys.unwrap_subject_key(subject, &wrapped)?;
        rows.into_iter()
            .map(|r| {
                Ok((
                    ConsentView {
                        id: r.id,
                        channel: r.channel,
                        notice_version: r.notice_version,
                        given_at: Now::from_micros(r.given_at),
                        withdrawn_at: r.withdrawn_at.map(Now::from_micros),
                    },
                    key.open(subject, &consent_aad(r.id), &r.evidence)?,
                ))
            })
            .collect()
    }
}

/// The associated data a rights letter is sealed under.
pub(crate) fn letter_aad(case: Uuid) -> String {
    format!("rights-letter:{case}")
}

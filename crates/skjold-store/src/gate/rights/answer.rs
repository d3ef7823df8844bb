//! The records an access answer is built from (art. 15, seed 003 § 4.3.1): the purposes and
//! their legal bases and retention, the categories, every recipient from the disclosure
//! ledger, the sources, a copy of the data (restricted items included: they stay subject
//! to access), and what units and suppliers contributed. One read, one log entry.

use std::collections::BTreeSet;

use uuid::Uuid;

use skjold_core::rights::{AccessAnswer, AnswerDisclosure, AnswerPurpose, AnswerRecipient, Regime};
use skjold_core::{Actor, FieldKey, Problem};

use super::*;
use crate::gate::disclosures::{LEDGER_SELECT, LedgerRow};

#[derive(sqlx::FromRow)]
struct PurposeRow {
    name: String,
    description: String,
    art6: String,
    art9: Option<String>,
    national_law: String,
    retention: String,
    automated_decision: String,
}

impl Gate {
    /// The access answer of a case, as the records give it. Third parties' data in its
    /// texts is marked by the application, not here.
    pub async fn access_records(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: Now,
    ) -> Result<AccessAnswer, StoreError> {
        let mut tx = self.db.read().await?;
        let row = match case_row(&mut tx, actor, case_id, now).await {
            Ok(r) => r,
            Err(e) => {
                let u = rights_use(None, "Indsigtssvar afvist");
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let subject = row.subject_id;
        let regime = row
            .regime
            .as_deref()
            .and_then(Regime::parse)
            .ok_or(StoreError::Refused(Problem::BadAccessWish))?;
        let items = all_items(&mut tx, subject).await?;
        let notes = note_rows(&mut tx, subject).await?;
        let ledger_sql = format!("{LEDGER_SELECT} WHERE d.subject_id = $1 ORDER BY d.at, d.id");
        let ledger = fetch!(&mut tx, fetch_all, LedgerRow, &ledger_sql, subject)?;
        let services: Vec<(Uuid, String)> = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String),
            "SELECT o.id, s.name FROM service_order o JOIN service_type s ON s.id = o.service_type_id \
             WHERE o.subject_id = $1",
            subject
        )?;
        let purposes = fetch!(
            &mut tx,
            fetch_all,
            PurposeRow,
            "SELECT name, description, art6, art9, national_law, retention, automated_decision FROM purpose \
             WHERE organisation_id = $1 AND (id IN (SELECT purpose_id FROM personal_datum WHERE subject_id = $2) \
             OR id IN (SELECT s.purpose_id FROM service_order o JOIN service_type s ON s.id = o.service_type_id \
             WHERE o.subject_id = $2)) ORDER BY name",
            row.controller_id,
            subject
        )?;
        let tasks = task_rows(&mut tx, "t.case_id = $1", case_id).await?;
        let wrapped = self
            .wrapped_key(subject)
            .await?
            .ok_or_else(citizen_erased)?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &rights_use(
                Some(subject),
                format!("Indsigtssvar i rettighedssag {} dannet", row.reference),
            ),
            true,
        )
        .await?;

        let key = self.keys.unwrap_subject_key(subject, &wrapped)?;
        let items = open_items(Some(&key), subject, items, notes)?;
        let citizen_name = items
            .iter()
            .find(|i| i.field == FieldKey::Name)
            .map(|i| i.value.clone())
            .unwrap_or_default();
        let categories: BTreeSet<_> = items.iter().map(|i| i.field.category()).collect();
        let sources: BTreeSet<String> = items.iter().map(|i| i.source.clone()).collect();
        let mut recipients: Vec<AnswerRecipient> = Vec::new();
        for entry in ledger {
            let e = entry.into_model(Some(&key))?;
            let disclosure = AnswerDisclosure {
                field: e.field,
                kind: e.kind,
                at: e.at,
                justification: e.justification,
            };
            match recipients
                .iter_mut()
                .find(|r| r.order_reference == e.order_reference)
            {
                Some(r) => r.disclosures.push(disclosure),
                None => recipients.push(AnswerRecipient {
                    supplier: e.supplier_name,
                    order_reference: e.order_reference,
                    service: services
                        .iter()
                        .find(|(id, _)| *id == e.order_id)
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default(),
                    purpose: e.purpose,
                    disclosures: vec![disclosure],
                }),
            }
        }
        let purposes = purposes
            .into_iter()
            .map(|p| AnswerPurpose {
                legal_basis: skjold_core::LegalBasis {
                    art6: skjold_core::Art6Basis::parse(&p.art6)
                        .unwrap_or(skjold_core::Art6Basis::PublicTask),
                    art9: p.art9.as_deref().and_then(skjold_core::Art9Basis::parse),
                    national_law: p.national_law,
                }
                .summary(),
                name: p.name,
                description: p.description,
                retention: p.retention,
                automated_decision: p.automated_decision,
            })
            .collect::<Vec<_>>();
        let contributions = tasks
            .into_iter()
            .map(|t| t.into_view(Some(&key), subject))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter_map(|t| Some((t.organisation_name, t.contribution?)))
            .collect();
        Ok(AccessAnswer {
            case_reference: row.reference.clone(),
            controller: row.controller_name.clone(),
            citizen_name,
            received_on: row.received_on(),
            regime,
            purposes,
            categories: categories.into_iter().collect(),
            recipients,
            sources: sources.into_iter().collect(),
            items,
            contributions,
            third_parties: Vec::new(),
            reviewed: row.reviewed_at.is_some(),
            transfers: Vec::new(),
        })
    }
}

//! The catalogue: purposes with their legal bases, service types with their disclosure
//! policies, and data processing agreements. None of it is a citizen's personal data, so
//! it does not pass the gate; who may change it is decided in the app.

use uuid::Uuid;

use skjold_core::catalogue::{CoverageChange, Dpa, Purpose, ServiceType};
use skjold_core::directory::Entity;
use skjold_core::{
    Art6Basis, Art9Basis, Date, DisclosureRule, FieldKey, LegalBasis, OrgKind, Problem,
};

mod edits;

pub use edits::{DpaChange, ServiceTypeChange};
pub(crate) use edits::{order_policy, order_policy_version, pin_order_policy};

use crate::db::{Db, Tx, execute, fetch, scalar};
use crate::directory::organisation_in;
use crate::{Now, StoreError};

#[derive(sqlx::FromRow)]
struct PurposeRow {
    id: Uuid,
    name: String,
    description: String,
    art6: String,
    art9: Option<String>,
    national_law: String,
    retention: String,
    automated_decision: String,
    subject_categories: String,
}

impl PurposeRow {
    fn legal_basis(&self) -> LegalBasis {
        LegalBasis {
            art6: Art6Basis::parse(&self.art6).unwrap_or(Art6Basis::PublicTask),
            art9: self.art9.as_deref().and_then(Art9Basis::parse),
            national_law: self.national_law.clone(),
        }
    }

    fn into_model(self) -> Purpose {
        let legal_basis = self.legal_basis().summary();
        Purpose {
            id: self.id,
            name: self.name,
            description: self.description,
            art6: self.art6,
            art9: self.art9,
            national_law: self.national_law,
            legal_basis,
            retention: self.retention,
            automated_decision: self.automated_decision,
            subject_categories: self.subject_categories,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ServiceTypeRow {
    id: Uuid,
    code: String,
    name: String,
    description: String,
    purpose_id: Uuid,
    purpose_name: String,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    field_key: String,
    rule: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct DpaRow {
    id: Uuid,
    processor_id: Uuid,
    processor_name: String,
    reference: String,
    instructions: String,
    starts_on: String,
    ends_on: Option<String>,
}

impl DpaRow {
    pub(crate) fn into_model(self) -> Result<Dpa, StoreError> {
        let bad = |_| StoreError::Config(format!("bad date on DPA {}", self.id));
        Ok(Dpa {
            id: self.id,
            processor_id: self.processor_id,
            processor_name: self.processor_name.clone(),
            reference: self.reference.clone(),
            instructions: self.instructions.clone(),
            starts_on: self.starts_on.parse().map_err(bad)?,
            ends_on: match &self.ends_on {
                Some(d) => Some(d.parse().map_err(bad)?),
                None => None,
            },
            service_type_ids: Vec::new(),
            coverage_changed: None,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CoverageChangeRow {
    display_name: String,
    changed_at: i64,
    service_codes: String,
}

/// The DPA with what it covers, and the last change of that.
pub(crate) async fn with_coverage(tx: &mut Tx, mut dpa: Dpa) -> Result<Dpa, StoreError> {
    dpa.service_type_ids = scalar!(
        &mut *tx,
        fetch_all,
        Uuid,
        "SELECT c.service_type_id FROM dpa_service c JOIN service_type s ON s.id = c.service_type_id \
         WHERE c.dpa_id = $1 ORDER BY s.name",
        dpa.id
    )?;
    dpa.coverage_changed = fetch!(
        &mut *tx,
        fetch_optional,
        CoverageChangeRow,
        "SELECT u.display_name, c.changed_at, c.service_codes FROM dpa_coverage_change c \
         JOIN app_user u ON u.id = c.changed_by WHERE c.dpa_id = $1 ORDER BY c.changed_at DESC, c.id LIMIT 1",
        dpa.id
    )?
    .map(|c| CoverageChange {
        by: c.display_name,
        at: Now::from_micros(c.changed_at),
        service_codes: c.service_codes,
    });
    Ok(dpa)
}

/// Whether a DPA covers a service type.
pub(crate) async fn dpa_covers(
    tx: &mut Tx,
    dpa_id: Uuid,
    service_type_id: Uuid,
) -> Result<bool, StoreError> {
    let n: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM dpa_service WHERE dpa_id = $1 AND service_type_id = $2",
        dpa_id,
        service_type_id
    )?;
    Ok(n > 0)
}

/// The service types named, each the controller's; refused as not found otherwise.
async fn covered_types(
    tx: &mut Tx,
    controller_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<ServiceType>, StoreError> {
    let mut types: Vec<ServiceType> = Vec::with_capacity(ids.len());
    for id in ids {
        if !types.iter().any(|t| t.id == *id) {
            types.push(service_type_in(tx, controller_id, *id).await?);
        }
    }
    Ok(types)
}

pub(crate) const DPA_SELECT: &str = "SELECT d.id, d.processor_id, o.name AS processor_name, d.reference, \
     d.instructions, d.starts_on, d.ends_on FROM dpa d JOIN organisation o ON o.id = d.processor_id";

pub struct NewServiceType<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub purpose_id: Uuid,
    pub rules: &'a [(FieldKey, DisclosureRule)],
}

pub struct NewDpa<'a> {
    pub processor_id: Uuid,
    pub reference: &'a str,
    pub instructions: &'a str,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// The service types it covers.
    pub service_type_ids: &'a [Uuid],
}

async fn purpose_in(tx: &mut Tx, controller_id: Uuid, id: Uuid) -> Result<PurposeRow, StoreError> {
    fetch!(
        tx,
        fetch_optional,
        PurposeRow,
        "SELECT id, name, description, art6, art9, national_law, retention, automated_decision, subject_categories FROM purpose WHERE id = $1 AND organisation_id = $2",
        id,
        controller_id
    )?
    .ok_or_else(|| StoreError::Refused(Problem::PurposeNotFound))
}

/// The purpose's display name and legal basis summary.
pub(crate) async fn purpose_summary(
    tx: &mut Tx,
    controller_id: Uuid,
    id: Uuid,
) -> Result<(String, String), StoreError> {
    let p = purpose_in(tx, controller_id, id).await?;
    Ok((p.name.clone(), p.legal_basis().summary()))
}

pub(crate) async fn service_type_in(
    tx: &mut Tx,
    controller_id: Uuid,
    id: Uuid,
) -> Result<ServiceType, StoreError> {
    let row = fetch!(
        tx,
        fetch_optional,
        ServiceTypeRow,
        "SELECT s.id, s.code, s.name, s.description, s.purpose_id, p.name AS purpose_name \
         FROM service_type s JOIN purpose p ON p.id = s.purpose_id WHERE s.id = $1 AND s.organisation_id = $2",
        id,
        controller_id
    )?
    .ok_or_else(|| StoreError::Refused(Problem::ServiceTypeNotFound))?;
    let rules = fetch!(
        tx,
        fetch_all,
        RuleRow,
        "SELECT field_key, rule FROM service_policy WHERE service_type_id = $1",
        id
    )?;
    let rules = rules
        .into_iter()
        .filter_map(|r| Some((r.field_key.parse().ok()?, DisclosureRule::parse(&r.rule)?)))
        .collect::<Vec<(FieldKey, DisclosureRule)>>();
    let policy = skjold_core::ServicePolicy::new(rules);
    let policy_version = edits::current_policy_number(tx, id).await?;
    Ok(ServiceType {
        policy_version,
        id: row.id,
        code: row.code,
        name: row.name,
        description: row.description,
        purpose_id: row.purpose_id,
        purpose_name: row.purpose_name,
        rules: policy.all().collect(),
    })
}

/// The DPA in force today between a controller and a processor, if any.
pub(crate) async fn dpa_in_force(
    tx: &mut Tx,
    controller_id: Uuid,
    processor_id: Uuid,
    today: Date,
) -> Result<Option<Dpa>, StoreError> {
    let sql = format!(
        "{DPA_SELECT} WHERE d.controller_id = $1 AND d.processor_id = $2 AND d.starts_on <= $3 \
         AND (d.ends_on IS NULL OR d.ends_on >= $3) ORDER BY d.starts_on DESC"
    );
    let today = today.to_string();
    let rows = fetch!(
        tx,
        fetch_all,
        DpaRow,
        &sql,
        controller_id,
        processor_id,
        today.as_str()
    )?;
    rows.into_iter().next().map(DpaRow::into_model).transpose()
}

/// Purposes, service types and DPAs.
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub(crate) db: Db,
}

/// A purpose to create, its texts checked by the caller.
#[derive(Debug, Clone, Copy)]
pub struct NewPurpose<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub basis: &'a LegalBasis,
    /// How long the data is kept, in words.
    pub retention: &'a str,
    /// Decisions based solely on automated processing (art. 22); empty for none.
    pub automated_decision: &'a str,
}

impl Catalogue {
    pub async fn create_purpose(
        &self,
        controller_id: Uuid,
        p: NewPurpose<'_>,
        by: Option<Uuid>,
        now: Now,
    ) -> Result<Purpose, StoreError> {
        let NewPurpose {
            name,
            description,
            basis,
            retention,
            automated_decision,
        } = p;
        let mut tx = self.db.write().await?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO purpose (id, organisation_id, name, description, art6, art9, national_law, retention, \
             automated_decision, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            id,
            controller_id,
            name,
            description,
            basis.art6.key(),
            basis.art9.map(Art9Basis::key),
            basis.national_law.trim(),
            retention,
            automated_decision,
            now.micros()
        )?;
        let purpose = purpose_in(&mut tx, controller_id, id).await?.into_model();
        let v1 = edits::purpose_snapshot(&purpose);
        crate::versions::append(&mut tx, Entity::Purpose, id, &v1, by, now).await?;
        tx.commit().await?;
        Ok(purpose)
    }

    pub async fn purposes(&self, controller_id: Uuid) -> Result<Vec<Purpose>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            PurposeRow,
            "SELECT id, name, description, art6, art9, national_law, retention, automated_decision, subject_categories FROM purpose WHERE organisation_id = $1 ORDER BY name",
            controller_id
        )?;
        Ok(rows.into_iter().map(PurposeRow::into_model).collect())
    }

    /// Creates a service type with its disclosure policy, after checking the policy against
    /// the law and the purpose's legal basis.
    pub async fn create_service_type(
        &self,
        controller_id: Uuid,
        new: NewServiceType<'_>,
        by: Option<Uuid>,
        now: Now,
    ) -> Result<ServiceType, StoreError> {
        let mut tx = self.db.write().await?;
        let purpose = purpose_in(&mut tx, controller_id, new.purpose_id).await?;
        let policy = skjold_core::ServicePolicy::new(new.rules.iter().copied());
        policy
            .validate(&purpose.legal_basis())
            .map_err(StoreError::Refused)?;
        let id = Uuid::new_v4();
        let inserted = execute!(
            &mut tx,
            "INSERT INTO service_type (id, organisation_id, code, name, description, purpose_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            controller_id,
            new.code,
            new.name,
            new.description,
            new.purpose_id,
            now.micros()
        );
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Refused(Problem::ServiceCodeTaken(
                    new.code.to_owned(),
                )));
            }
            other => other?,
        };
        // Every field gets an explicit row, so the policy in force is visible in the data.
        for (field, rule) in policy.all() {
            execute!(
                &mut tx,
                "INSERT INTO service_policy (service_type_id, field_key, rule) VALUES ($1, $2, $3)",
                id,
                field.key(),
                rule.key()
            )?;
        }
        edits::insert_policy_version(&mut tx, id, &policy, by, now).await?;
        let st = service_type_in(&mut tx, controller_id, id).await?;
        let v1 = edits::service_type_snapshot(&st);
        crate::versions::append(&mut tx, Entity::ServiceType, id, &v1, by, now).await?;
        tx.commit().await?;
        Ok(st)
    }

    pub async fn service_types(&self, controller_id: Uuid) -> Result<Vec<ServiceType>, StoreError> {
        let mut tx = self.db.read().await?;
        let ids: Vec<Uuid> = scalar!(
            &mut tx,
            fetch_all,
            Uuid,
            "SELECT id FROM service_type WHERE organisation_id = $1 ORDER BY name",
            controller_id
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(service_type_in(&mut tx, controller_id, id).await?);
        }
        Ok(out)
    }

    pub async fn service_type(
        &self,
        controller_id: Uuid,
        id: Uuid,
    ) -> Result<ServiceType, StoreError> {
        let mut tx = self.db.read().await?;
        service_type_in(&mut tx, controller_id, id).await
    }

    pub async fn create_dpa(
        &self,
        controller_id: Uuid,
        new: NewDpa<'_>,
        by: Option<Uuid>,
        now: Now,
    ) -> Result<Dpa, StoreError> {
        let mut tx = self.db.write().await?;
        let processor = organisation_in(&mut tx, new.processor_id).await?;
        if processor.kind != OrgKind::Supplier {
            return Err(StoreError::Refused(Problem::DpaNotSupplier));
        }
        if new.ends_on.is_some_and(|end| end < new.starts_on) {
            return Err(StoreError::Refused(Problem::DpaDates));
        }
        let covered = covered_types(&mut tx, controller_id, new.service_type_ids).await?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO dpa (id, controller_id, processor_id, reference, instructions, starts_on, ends_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            controller_id,
            new.processor_id,
            new.reference,
            new.instructions,
            new.starts_on.to_string(),
            new.ends_on.map(|d| d.to_string()),
            now.micros()
        )?;
        // Version 1 of its terms: the instructions, from the day it starts.
        execute!(
            &mut tx,
            "INSERT INTO dpa_version (id, dpa_id, version, change_kind, instructions, data_categories, \
             subject_categories, security_level, breach_notice_hours, retention_and_return, audit_terms, \
             notified_on, effective_on, created_at) VALUES ($1, $1, 1, 'agreed', $2, '', '', '', $3, '', '', $4, $4, $5)",
            id,
            new.instructions,
            i64::from(skjold_core::processors::DEFAULT_BREACH_NOTICE_HOURS),
            new.starts_on.to_string(),
            now.micros()
        )?;
        for t in &covered {
            execute!(
                &mut tx,
                "INSERT INTO dpa_service (dpa_id, service_type_id) VALUES ($1, $2)",
                id,
                t.id
            )?;
        }
        let dpa = Dpa {
            id,
            processor_id: new.processor_id,
            processor_name: processor.name,
            reference: new.reference.to_owned(),
            instructions: new.instructions.to_owned(),
            starts_on: new.starts_on,
            ends_on: new.ends_on,
            service_type_ids: covered.iter().map(|t| t.id).collect(),
            coverage_changed: None,
        };
        let v1 = edits::dpa_snapshot(&dpa, 1);
        crate::versions::append(&mut tx, Entity::Dpa, id, &v1, by, now).await?;
        tx.commit().await?;
        Ok(dpa)
    }

    pub async fn dpas(&self, controller_id: Uuid) -> Result<Vec<Dpa>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{DPA_SELECT} WHERE d.controller_id = $1 ORDER BY o.name, d.starts_on");
        let rows = fetch!(&mut tx, fetch_all, DpaRow, &sql, controller_id)?;
        let mut dpas = Vec::with_capacity(rows.len());
        for row in rows {
            dpas.push(with_coverage(&mut tx, row.into_model()?).await?);
        }
        Ok(dpas)
    }

    /// Sets which service types a DPA covers, recording who changed it and when. Orders
    /// already placed stay as they are; new orders follow the new coverage.
    pub async fn set_dpa_coverage(
        &self,
        controller_id: Uuid,
        changed_by: Uuid,
        dpa_id: Uuid,
        service_type_ids: &[Uuid],
        now: Now,
    ) -> Result<Dpa, StoreError> {
        let mut tx = self.db.write().await?;
        let sql = format!("{DPA_SELECT} WHERE d.id = $1 AND d.controller_id = $2");
        let row = fetch!(&mut tx, fetch_optional, DpaRow, &sql, dpa_id, controller_id)?
            .ok_or(StoreError::Refused(Problem::DpaNotFound))?;
        let covered = covered_types(&mut tx, controller_id, service_type_ids).await?;
        execute!(&mut tx, "DELETE FROM dpa_service WHERE dpa_id = $1", dpa_id)?;
        for t in &covered {
            execute!(
                &mut tx,
                "INSERT INTO dpa_service (dpa_id, service_type_id) VALUES ($1, $2)",
                dpa_id,
                t.id
            )?;
        }
        let mut codes: Vec<&str> = covered.iter().map(|t| t.code.as_str()).collect();
        codes.sort_unstable();
        execute!(
            &mut tx,
            "INSERT INTO dpa_coverage_change (id, dpa_id, service_codes, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5)",
            Uuid::new_v4(),
            dpa_id,
            codes.join(", "),
            changed_by,
            now.micros()
        )?;
        let dpa = with_coverage(&mut tx, row.into_model()?).await?;
        tx.commit().await?;
        Ok(dpa)
    }
}

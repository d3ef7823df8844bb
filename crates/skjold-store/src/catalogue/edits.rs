//! The administrator's edits of purposes, service types and DPAs, each a new version with
//! who and when ([`crate::versions`]); and the versions of service types' disclosure
//! policies, which orders point at (migration 0022).
//!
//! A service type's policy in force for an order: the order shows the version in force
//! when it was placed ([`order_policy_version`]); what may still be disclosed on it follows
//! the stricter of that version and the current one, field by field ([`order_policy`]): a
//! tightening holds for open orders at once, a loosening only for orders placed after it.
//! A DPA's instructions are kept, as before, as versions of its terms (`dpa_version`, the
//! processors desk's history); its snapshot names the terms version.

use uuid::Uuid;

use skjold_core::catalogue::{Dpa, PolicyVersion, Purpose, ServiceType};
use skjold_core::directory::{Entity, Snapshot, Version};
use skjold_core::{Date, DisclosureRule, FieldKey, LegalBasis, Problem, ServicePolicy};

use super::{Catalogue, DPA_SELECT, DpaRow, PurposeRow, purpose_in, service_type_in};
use crate::db::{Tx, execute, fetch, scalar};
use crate::versions::{append, ensure_first, snapshot, versions_in};
use crate::{Now, StoreError};

/// A service type's new state: its texts, purpose and policy (its code stays).
pub struct ServiceTypeChange<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub purpose_id: Uuid,
    pub rules: &'a [(FieldKey, DisclosureRule)],
}

/// A DPA's new reference, end date and instructions.
pub struct DpaChange<'a> {
    pub reference: &'a str,
    pub ends_on: Option<Date>,
    pub instructions: &'a str,
}

pub(super) fn purpose_snapshot(p: &Purpose) -> Snapshot {
    snapshot([
        ("name", p.name.clone()),
        ("description", p.description.clone()),
        ("art6", p.art6.clone()),
        ("art9", p.art9.clone().unwrap_or_default()),
        ("national_law", p.national_law.clone()),
        ("retention", p.retention.clone()),
        ("automated_decision", p.automated_decision.clone()),
    ])
}

pub(super) fn service_type_snapshot(t: &ServiceType) -> Snapshot {
    let mut s = snapshot([
        ("name", t.name.clone()),
        ("description", t.description.clone()),
        ("purpose", t.purpose_name.clone()),
        ("policy_version", t.policy_version.to_string()),
    ]);
    for (f, r) in &t.rules {
        s.insert(format!("rule.{}", f.key()), r.key().to_owned());
    }
    s
}

pub(super) fn dpa_snapshot(d: &Dpa, terms_version: i64) -> Snapshot {
    snapshot([
        ("reference", d.reference.clone()),
        (
            "ends_on",
            d.ends_on.map(|e| e.to_string()).unwrap_or_default(),
        ),
        ("terms_version", terms_version.to_string()),
    ])
}

#[derive(sqlx::FromRow)]
struct PolicyVersionRow {
    id: Uuid,
    service_type_id: Uuid,
    version: i64,
    changed_by: Option<String>,
    changed_at: i64,
}

/// A version row with one of its rules (none when it has no rules).
#[derive(sqlx::FromRow)]
struct PolicyVersionRuleRow {
    #[sqlx(flatten)]
    version: PolicyVersionRow,
    field_key: Option<String>,
    rule: Option<String>,
}

impl PolicyVersionRuleRow {
    fn rule(&self) -> Option<(FieldKey, DisclosureRule)> {
        Some((
            self.field_key.as_deref()?.parse().ok()?,
            DisclosureRule::parse(self.rule.as_deref()?)?,
        ))
    }
}

const POLICY_VERSION_SELECT: &str = "SELECT v.id, v.service_type_id, v.version, \
     u.display_name AS changed_by, v.changed_at FROM service_policy_version v \
     LEFT JOIN app_user u ON u.id = v.changed_by";

async fn with_rules(tx: &mut Tx, row: PolicyVersionRow) -> Result<PolicyVersion, StoreError> {
    let rules: Vec<(String, String)> = fetch!(
        tx,
        fetch_all,
        (String, String),
        "SELECT field_key, rule FROM service_policy_version_rule WHERE version_id = $1",
        row.id
    )?;
    let policy = ServicePolicy::new(
        rules
            .into_iter()
            .filter_map(|(f, r)| Some((f.parse().ok()?, DisclosureRule::parse(&r)?))),
    );
    Ok(version_with(row, &policy))
}

fn version_with(row: PolicyVersionRow, policy: &ServicePolicy) -> PolicyVersion {
    PolicyVersion {
        id: row.id,
        service_type_id: row.service_type_id,
        version: row.version,
        changed_by: row.changed_by,
        changed_at: Now::from_micros(row.changed_at),
        rules: policy.all().collect(),
    }
}

/// The number of a service type's current policy version (0 before it has one).
pub(super) async fn current_policy_number(
    tx: &mut Tx,
    service_type_id: Uuid,
) -> Result<i64, StoreError> {
    Ok(scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COALESCE(MAX(version), 0) FROM service_policy_version WHERE service_type_id = $1",
        service_type_id
    )?)
}

/// Writes a new version of a service type's policy, with a rule for every field.
pub(super) async fn insert_policy_version(
    tx: &mut Tx,
    service_type_id: Uuid,
    policy: &ServicePolicy,
    by: Option<Uuid>,
    now: Now,
) -> Result<i64, StoreError> {
    let version = current_policy_number(tx, service_type_id).await? + 1;
    let id = Uuid::new_v4();
    execute!(
        tx,
        "INSERT INTO service_policy_version (id, service_type_id, version, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5)",
        id,
        service_type_id,
        version,
        by,
        now.micros()
    )?;
    for (field, rule) in policy.all() {
        execute!(
            tx,
            "INSERT INTO service_policy_version_rule (version_id, field_key, rule) VALUES ($1, $2, $3)",
            id,
            field.key(),
            rule.key()
        )?;
    }
    Ok(version)
}

/// The policy version an order was placed under (for an order without one, the current).
pub(crate) async fn order_policy_version(
    tx: &mut Tx,
    order_id: Uuid,
    service_type_id: Uuid,
) -> Result<PolicyVersion, StoreError> {
    // One statement: the version rows with their rules joined (a version row repeats per
    // rule, with none when the version has no rules).
    const SQL: &str = "SELECT v.id, v.service_type_id, v.version, u.display_name AS changed_by, v.changed_at, \
         r.field_key, r.rule FROM service_policy_version v LEFT JOIN app_user u ON u.id = v.changed_by \
         LEFT JOIN service_policy_version_rule r ON r.version_id = v.id \
         WHERE v.id = (SELECT policy_version_id FROM service_order WHERE id = $1) \
         OR (v.service_type_id = $2 AND v.version = (SELECT MAX(version) FROM service_policy_version \
         WHERE service_type_id = $2)) ORDER BY v.version";
    let rows = fetch!(
        tx,
        fetch_all,
        PolicyVersionRuleRow,
        SQL,
        order_id,
        service_type_id
    )?;
    // The order's own version is the oldest of the (at most two) versions found.
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Err(StoreError::Config(format!(
            "no policy version for order {order_id}"
        )));
    };
    let own = first.version.id;
    let mut rules: Vec<_> = first.rule().into_iter().collect();
    rules.extend(
        rows.filter(|r| r.version.id == own)
            .filter_map(|r| r.rule()),
    );
    Ok(version_with(first.version, &ServicePolicy::new(rules)))
}

/// What may still be disclosed on an order: the stricter of its version and the current.
pub(crate) async fn order_policy(
    tx: &mut Tx,
    controller_id: Uuid,
    order_id: Uuid,
    service_type_id: Uuid,
) -> Result<ServicePolicy, StoreError> {
    let placed = order_policy_version(tx, order_id, service_type_id).await?;
    let current = service_type_in(tx, controller_id, service_type_id).await?;
    Ok(placed.policy().stricter(&current.policy()))
}

/// Points a new order at the policy version in force now.
pub(crate) async fn pin_order_policy(
    tx: &mut Tx,
    order_id: Uuid,
    service_type_id: Uuid,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE service_order SET policy_version_id = (SELECT id FROM service_policy_version \
         WHERE service_type_id = $1 ORDER BY version DESC LIMIT 1) WHERE id = $2",
        service_type_id,
        order_id
    )?;
    Ok(())
}

async fn created_at(tx: &mut Tx, table: &str, id: Uuid) -> Result<i64, StoreError> {
    let sql = format!("SELECT created_at FROM {table} WHERE id = $1");
    Ok(scalar!(tx, fetch_one, i64, &sql, id)?)
}

/// The latest version of a DPA's terms: its number and instructions.
async fn latest_terms(tx: &mut Tx, dpa_id: Uuid) -> Result<(i64, String), StoreError> {
    fetch!(
        tx,
        fetch_optional,
        (i64, String),
        "SELECT version, instructions FROM dpa_version WHERE dpa_id = $1 ORDER BY version DESC LIMIT 1",
        dpa_id
    )?
    .ok_or(StoreError::Refused(Problem::DpaNotFound))
}

async fn dpa_in(tx: &mut Tx, controller_id: Uuid, id: Uuid) -> Result<Dpa, StoreError> {
    let sql = format!("{DPA_SELECT} WHERE d.id = $1 AND d.controller_id = $2");
    fetch!(tx, fetch_optional, DpaRow, &sql, id, controller_id)?
        .ok_or(StoreError::Refused(Problem::DpaNotFound))?
        .into_model()
}

/// Versions as kept, or the current state as version 1 when none are kept yet.
async fn versions_or_first(
    tx: &mut Tx,
    entity: Entity,
    id: Uuid,
    current: Snapshot,
    created_at: i64,
) -> Result<Vec<Version>, StoreError> {
    let versions = versions_in(tx, entity, id).await?;
    if !versions.is_empty() {
        return Ok(versions);
    }
    Ok(vec![Version {
        version: 1,
        snapshot: current,
        changed_by: None,
        changed_at: Now::from_micros(created_at),
    }])
}

impl Catalogue {
    /// Changes a purpose's texts and legal basis, after checking that every service type
    /// serving it still has a lawful policy under the new basis.
    pub async fn update_purpose(
        &self,
        controller_id: Uuid,
        by: Uuid,
        id: Uuid,
        p: super::NewPurpose<'_>,
        now: Now,
    ) -> Result<Purpose, StoreError> {
        let mut tx = self.db.write().await?;
        let before = purpose_in(&mut tx, controller_id, id).await?.into_model();
        let ids: Vec<Uuid> = scalar!(
            &mut tx,
            fetch_all,
            Uuid,
            "SELECT id FROM service_type WHERE purpose_id = $1 AND organisation_id = $2",
            id,
            controller_id
        )?;
        for st in ids {
            service_type_in(&mut tx, controller_id, st)
                .await?
                .policy()
                .validate(p.basis)
                .map_err(StoreError::Refused)?;
        }
        let created = created_at(&mut tx, "purpose", id).await?;
        ensure_first(
            &mut tx,
            Entity::Purpose,
            id,
            &purpose_snapshot(&before),
            created,
        )
        .await?;
        execute!(
            &mut tx,
            "UPDATE purpose SET name = $1, description = $2, art6 = $3, art9 = $4, national_law = $5, \
             retention = $6, automated_decision = $7 WHERE id = $8",
            p.name,
            p.description,
            p.basis.art6.key(),
            p.basis.art9.map(skjold_core::Art9Basis::key),
            p.basis.national_law.trim(),
            p.retention,
            p.automated_decision,
            id
        )?;
        let after = purpose_in(&mut tx, controller_id, id).await?.into_model();
        if purpose_snapshot(&after) == purpose_snapshot(&before) {
            return Err(StoreError::Refused(Problem::NothingChanged));
        }
        append(
            &mut tx,
            Entity::Purpose,
            id,
            &purpose_snapshot(&after),
            Some(by),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes a service type. A changed policy, checked against the law and the purpose's
    /// legal basis, becomes a new policy version; orders placed before keep theirs.
    pub async fn update_service_type(
        &self,
        controller_id: Uuid,
        by: Uuid,
        id: Uuid,
        change: ServiceTypeChange<'_>,
        now: Now,
    ) -> Result<ServiceType, StoreError> {
        let mut tx = self.db.write().await?;
        let before = service_type_in(&mut tx, controller_id, id).await?;
        let purpose = purpose_in(&mut tx, controller_id, change.purpose_id).await?;
        let policy = ServicePolicy::new(change.rules.iter().copied());
        policy
            .validate(&LegalBasis::from(&purpose))
            .map_err(StoreError::Refused)?;
        let policy_changed = policy != before.policy();
        if !policy_changed
            && before.name == change.name
            && before.description == change.description
            && before.purpose_id == change.purpose_id
        {
            return Err(StoreError::Refused(Problem::NothingChanged));
        }
        let created = created_at(&mut tx, "service_type", id).await?;
        ensure_first(
            &mut tx,
            Entity::ServiceType,
            id,
            &service_type_snapshot(&before),
            created,
        )
        .await?;
        execute!(
            &mut tx,
            "UPDATE service_type SET name = $1, description = $2, purpose_id = $3 WHERE id = $4",
            change.name,
            change.description,
            change.purpose_id,
            id
        )?;
        if policy_changed {
            for (field, rule) in policy.all() {
                execute!(
                    &mut tx,
                    "UPDATE service_policy SET rule = $1 WHERE service_type_id = $2 AND field_key = $3",
                    rule.key(),
                    id,
                    field.key()
                )?;
            }
            insert_policy_version(&mut tx, id, &policy, Some(by), now).await?;
        }
        let after = service_type_in(&mut tx, controller_id, id).await?;
        append(
            &mut tx,
            Entity::ServiceType,
            id,
            &service_type_snapshot(&after),
            Some(by),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes a DPA's reference and end date; changed instructions become a new version of
    /// its terms (the other terms as in the latest version), agreed and in force today.
    pub async fn update_dpa(
        &self,
        controller_id: Uuid,
        by: Uuid,
        id: Uuid,
        change: DpaChange<'_>,
        now: Now,
    ) -> Result<Dpa, StoreError> {
        let mut tx = self.db.write().await?;
        let before = dpa_in(&mut tx, controller_id, id).await?;
        if change.ends_on.is_some_and(|end| end < before.starts_on) {
            return Err(StoreError::Refused(Problem::DpaDates));
        }
        let (terms, instructions) = latest_terms(&mut tx, id).await?;
        let new_terms = instructions != change.instructions;
        if !new_terms && before.reference == change.reference && before.ends_on == change.ends_on {
            return Err(StoreError::Refused(Problem::NothingChanged));
        }
        let created = created_at(&mut tx, "dpa", id).await?;
        ensure_first(
            &mut tx,
            Entity::Dpa,
            id,
            &dpa_snapshot(&before, terms),
            created,
        )
        .await?;
        execute!(
            &mut tx,
            "UPDATE dpa SET reference = $1, ends_on = $2, instructions = $3 WHERE id = $4",
            change.reference,
            change.ends_on.map(|d| d.to_string()),
            change.instructions,
            id
        )?;
        let mut terms_after = terms;
        if new_terms {
            let today = now.local_date().to_string();
            execute!(
                &mut tx,
                "INSERT INTO dpa_version (id, dpa_id, version, change_kind, instructions, data_categories, \
                 subject_categories, security_level, breach_notice_hours, retention_and_return, audit_terms, \
                 notified_on, effective_on, created_by, created_at) \
                 SELECT $1, dpa_id, version + 1, 'agreed', $2, data_categories, subject_categories, security_level, \
                 breach_notice_hours, retention_and_return, audit_terms, $3, $3, $4, $5 \
                 FROM dpa_version WHERE dpa_id = $6 AND version = $7",
                Uuid::new_v4(),
                change.instructions,
                today.as_str(),
                by,
                now.micros(),
                id,
                terms
            )?;
            terms_after = terms + 1;
        }
        let after = dpa_in(&mut tx, controller_id, id).await?;
        append(
            &mut tx,
            Entity::Dpa,
            id,
            &dpa_snapshot(&after, terms_after),
            Some(by),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A DPA of the authority, with its current instructions (its latest terms).
    pub async fn dpa(&self, controller_id: Uuid, id: Uuid) -> Result<Dpa, StoreError> {
        let mut tx = self.db.read().await?;
        let mut dpa = dpa_in(&mut tx, controller_id, id).await?;
        dpa.instructions = latest_terms(&mut tx, id).await?.1;
        Ok(dpa)
    }

    pub async fn purpose(&self, controller_id: Uuid, id: Uuid) -> Result<Purpose, StoreError> {
        let mut tx = self.db.read().await?;
        Ok(purpose_in(&mut tx, controller_id, id).await?.into_model())
    }

    /// The versions of a purpose, oldest first.
    pub async fn purpose_versions(
        &self,
        controller_id: Uuid,
        id: Uuid,
    ) -> Result<Vec<Version>, StoreError> {
        let mut tx = self.db.read().await?;
        let p = purpose_in(&mut tx, controller_id, id).await?.into_model();
        let created = created_at(&mut tx, "purpose", id).await?;
        versions_or_first(&mut tx, Entity::Purpose, id, purpose_snapshot(&p), created).await
    }

    /// The versions of a service type, oldest first.
    pub async fn service_type_versions(
        &self,
        controller_id: Uuid,
        id: Uuid,
    ) -> Result<Vec<Version>, StoreError> {
        let mut tx = self.db.read().await?;
        let t = service_type_in(&mut tx, controller_id, id).await?;
        let created = created_at(&mut tx, "service_type", id).await?;
        versions_or_first(
            &mut tx,
            Entity::ServiceType,
            id,
            service_type_snapshot(&t),
            created,
        )
        .await
    }

    /// The versions of a DPA, oldest first.
    pub async fn dpa_versions(
        &self,
        controller_id: Uuid,
        id: Uuid,
    ) -> Result<Vec<Version>, StoreError> {
        let mut tx = self.db.read().await?;
        let d = dpa_in(&mut tx, controller_id, id).await?;
        let (terms, _) = latest_terms(&mut tx, id).await?;
        let created = created_at(&mut tx, "dpa", id).await?;
        versions_or_first(&mut tx, Entity::Dpa, id, dpa_snapshot(&d, terms), created).await
    }

    /// The versions of a service type's policy, oldest first.
    pub async fn policy_versions(
        &self,
        controller_id: Uuid,
        service_type_id: Uuid,
    ) -> Result<Vec<PolicyVersion>, StoreError> {
        let mut tx = self.db.read().await?;
        service_type_in(&mut tx, controller_id, service_type_id).await?;
        let sql =
            format!("{POLICY_VERSION_SELECT} WHERE v.service_type_id = $1 ORDER BY v.version");
        let rows = fetch!(&mut tx, fetch_all, PolicyVersionRow, &sql, service_type_id)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(with_rules(&mut tx, row).await?);
        }
        Ok(out)
    }
}

impl From<&PurposeRow> for LegalBasis {
    fn from(p: &PurposeRow) -> LegalBasis {
        p.legal_basis()
    }
}

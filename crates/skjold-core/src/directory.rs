//! The municipality, its units and its suppliers, and their users: who there is to act.
//! No personal data of citizens.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::actor::{OrgKind, Role};
use crate::error::Problem;
use crate::time::Timestamp;

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub kind: OrgKind,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub cvr: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// What the administrator keeps in versions: every change appends the state after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Organisation,
    User,
    Purpose,
    ServiceType,
    Dpa,
}

impl Entity {
    pub fn key(self) -> &'static str {
        match self {
            Entity::Organisation => "organisation",
            Entity::User => "user",
            Entity::Purpose => "purpose",
            Entity::ServiceType => "service_type",
            Entity::Dpa => "dpa",
        }
    }
}

/// An entity's state after a change: field key → value, as keys and raw values (a role's
/// key, a date as `YYYY-MM-DD`, `true`/`false`); the pages put them into words.
pub type Snapshot = BTreeMap<String, String>;

/// One version of an entity: its state, who made the change, and when. `changed_by` is
/// none for the state an entity had before versions were kept (its creator is not known).
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub version: i64,
    pub snapshot: Snapshot,
    pub changed_by: Option<String>,
    pub changed_at: Timestamp,
}

/// A field's change between two versions; `before` is none in the first version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: String,
}

/// A version with what changed since the one before it (every field for the first).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub version: i64,
    pub changes: Vec<Change>,
    pub changed_by: Option<String>,
    pub changed_at: Timestamp,
}

/// The history of an entity, oldest first, each version with its changes.
pub fn history(versions: &[Version]) -> Vec<HistoryEntry> {
    let mut out = Vec::with_capacity(versions.len());
    let mut previous: Option<&Snapshot> = None;
    for v in versions {
        let changes = v
            .snapshot
            .iter()
            .filter(|(k, after)| previous.and_then(|p| p.get(*k)) != Some(after))
            .map(|(k, after)| Change {
                field: k.clone(),
                before: previous.map(|p| p.get(k).cloned().unwrap_or_default()),
                after: after.clone(),
            })
            .collect();
        out.push(HistoryEntry {
            version: v.version,
            changes,
            changed_by: v.changed_by.clone(),
            changed_at: v.changed_at,
        });
        previous = Some(&v.snapshot);
    }
    out
}

/// The last-administrator rule: after giving `target` the role `role` and the state
/// `active`, at least one active administrator must remain among `users` (the authority's
/// own users), or no one could administer the authority any more.
pub fn keeps_an_administrator(
    users: &[User],
    target: Uuid,
    role: Role,
    active: bool,
) -> Result<(), Problem> {
    let remains = users.iter().any(|u| {
        if u.id == target {
            active && role == Role::Administrator
        } else {
            u.active && u.role == Role::Administrator
        }
    });
    if remains {
        Ok(())
    } else {
        Err(Problem::LastAdministrator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, active: bool) -> User {
        User {
            id: Uuid::new_v4(),
            organisation_id: Uuid::nil(),
            username: "u".into(),
            display_name: "U".into(),
            role,
            active,
        }
    }

    #[test]
    fn the_last_active_administrator_stays() {
        let admin = user(Role::Administrator, true);
        let other = user(Role::Administrator, false);
        let users = vec![admin.clone(), other.clone(), user(Role::Caseworker, true)];
        assert_eq!(
            keeps_an_administrator(&users, admin.id, Role::Caseworker, true),
            Err(Problem::LastAdministrator)
        );
        assert_eq!(
            keeps_an_administrator(&users, admin.id, Role::Administrator, false),
            Err(Problem::LastAdministrator)
        );
        assert!(keeps_an_administrator(&users, admin.id, Role::Administrator, true).is_ok());
        // Reactivating the other makes the first free to go.
        assert!(keeps_an_administrator(&users, other.id, Role::Administrator, true).is_ok());
        let two = vec![admin.clone(), user(Role::Administrator, true)];
        assert!(keeps_an_administrator(&two, admin.id, Role::Caseworker, false).is_ok());
    }

    #[test]
    fn history_names_what_changed() {
        let snap = |pairs: &[(&str, &str)]| -> Snapshot {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let v = |n, s| Version {
            version: n,
            snapshot: s,
            changed_by: None,
            changed_at: Timestamp(n),
        };
        let h = history(&[
            v(1, snap(&[("name", "A"), ("role", "caseworker")])),
            v(2, snap(&[("name", "A"), ("role", "administrator")])),
        ]);
        assert_eq!(h[0].changes.len(), 2);
        assert!(h[0].changes.iter().all(|c| c.before.is_none()));
        assert_eq!(
            h[1].changes,
            vec![Change {
                field: "role".into(),
                before: Some("caseworker".into()),
                after: "administrator".into()
            }]
        );
    }
}

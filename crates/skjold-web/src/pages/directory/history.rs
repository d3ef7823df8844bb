//! An entity's history in words: each version, what changed (field, before, after), by
//! whom and when, Copenhagen time. The versions come as keys and raw values from the app.

use skjold_core::directory::HistoryEntry;
use skjold_core::{Art6Basis, Art9Basis, Date, DisclosureRule, FieldKey, Role};

/// One field's change, in words.
pub(crate) struct ChangeRow {
    pub label: String,
    pub before: Option<String>,
    pub after: String,
}

/// One version, in words.
pub(crate) struct HistoryRow {
    pub version: i64,
    /// The first version: what the entity was made with.
    pub first: bool,
    pub changes: Vec<ChangeRow>,
    pub by: String,
    pub at: String,
}

fn label(key: &str) -> String {
    if let Some(field) = key.strip_prefix("rule.") {
        let name = field
            .parse::<FieldKey>()
            .map_or_else(|_| field.to_owned(), |f| f.danish().to_owned());
        return format!("Politik for {name}");
    }
    match key {
        "display_name" | "name" => "Navn",
        "organisation" => "Organisation",
        "role" => "Rolle",
        "active" => "Status",
        "cvr" => "CVR-nummer",
        "description" => "Beskrivelse",
        "art6" => "Art. 6, stk. 1",
        "art9" => "Art. 9, stk. 2",
        "national_law" => "National hjemmel",
        "retention" => "Opbevaringsperiode",
        "automated_decision" => "Automatiske afgørelser",
        "purpose" => "Formål",
        "policy_version" => "Politikversion",
        "reference" => "Reference",
        "ends_on" => "Gælder til",
        "terms_version" => "Vilkårsversion",
        other => other,
    }
    .to_owned()
}

fn value(key: &str, raw: &str) -> String {
    let words = match key {
        "role" => Role::parse(raw).map(Role::danish),
        "active" => Some(if raw == "true" {
            "Aktiv"
        } else {
            "Deaktiveret"
        }),
        "art6" => Art6Basis::parse(raw).map(Art6Basis::danish),
        "art9" if raw.is_empty() => Some("Ingen"),
        "art9" => Art9Basis::parse(raw).map(Art9Basis::danish),
        "ends_on" if raw.is_empty() => Some("Løbende"),
        "ends_on" => {
            return raw
                .parse::<Date>()
                .map_or_else(|_| raw.to_owned(), Date::danish);
        }
        k if k.starts_with("rule.") => DisclosureRule::parse(raw).map(DisclosureRule::danish),
        _ if raw.is_empty() => Some("(tom)"),
        _ => None,
    };
    words.map_or_else(|| raw.to_owned(), str::to_owned)
}

/// The history, newest first, in words.
pub(crate) fn rows(entries: Vec<HistoryEntry>) -> Vec<HistoryRow> {
    entries
        .into_iter()
        .rev()
        .map(|h| HistoryRow {
            version: h.version,
            first: h.changes.iter().all(|c| c.before.is_none()),
            changes: h
                .changes
                .iter()
                .map(|c| ChangeRow {
                    label: label(&c.field),
                    before: c.before.as_deref().map(|b| value(&c.field, b)),
                    after: value(&c.field, &c.after),
                })
                .collect(),
            by: h
                .changed_by
                .unwrap_or_else(|| "Ikke registreret (fra før historikken blev ført)".into()),
            at: h.changed_at.danish(),
        })
        .collect()
}

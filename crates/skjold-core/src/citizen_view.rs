//! The citizen's own view (DSR-1 … DSR-11): a citizen signed in through MitID sees the
//! data held about them, who received it, who looked at it, their rights requests and
//! their consents. The view is built from the records themselves (the data, the disclosure
//! ledger, the access log, the rights cases), never from a copy, and every opening of it is
//! logged with the citizen as the actor.
//!
//! What a citizen sees of staff: the organisation, never a staff member's name.

use serde::Serialize;
use uuid::Uuid;

use crate::consents::{Channel, ConsentView};
use crate::disclosures::DisclosureKind;
use crate::oversight::UseKind;
use crate::rights::{CaseItem, CaseSummary};
use crate::taxonomy::{Category, FieldKey};
use crate::time::Timestamp;

/// How long a citizen's session lasts: a citizen reads and files, then leaves.
pub const SESSION_SECONDS: i64 = 30 * 60;

/// A citizen signed in to their own view: who they are in the records. Resolved from the
/// citizen's session, never from a request.
#[derive(Debug, Clone, Serialize)]
pub struct Citizen {
    pub subject_id: Uuid,
    pub controller_id: Uuid,
    pub controller_name: String,
}

/// The items held, grouped by category in taxonomy order, with the legal basis of each
/// purpose they were collected for. Restricted items (art. 18) are shown, marked; an item
/// found incorrect carries its rectification note.
#[derive(Debug, Clone, Serialize)]
pub struct MyData {
    /// The citizen's name, as held (none when no name is held).
    pub name: Option<String>,
    pub groups: Vec<(Category, Vec<CaseItem>)>,
    /// Purpose name → its legal basis in words.
    pub bases: Vec<(String, String)>,
}

impl MyData {
    /// Groups items by category, keeping taxonomy order within and between groups.
    pub fn grouped(mut items: Vec<CaseItem>, bases: Vec<(String, String)>) -> MyData {
        let name = items
            .iter()
            .find(|i| i.field == FieldKey::Name)
            .map(|i| i.value.clone());
        items.sort_by_key(|i| (i.field.category(), i.field, i.collected_at));
        let mut groups: Vec<(Category, Vec<CaseItem>)> = Vec::new();
        for item in items {
            match groups.last_mut() {
                Some((c, list)) if *c == item.field.category() => list.push(item),
                _ => groups.push((item.field.category(), vec![item])),
            }
        }
        MyData {
            name,
            groups,
            bases,
        }
    }

    /// The legal basis of a purpose, in words.
    pub fn basis_of(&self, purpose: &str) -> Option<&str> {
        self.bases
            .iter()
            .find(|(p, _)| p == purpose)
            .map(|(_, b)| b.as_str())
    }

    pub fn len(&self) -> usize {
        self.groups.iter().map(|(_, l)| l.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// One disclosure to a supplier, from the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct MyDisclosure {
    pub at: Timestamp,
    /// The field disclosed; none for free text in a message.
    pub field: Option<FieldKey>,
    pub kind: DisclosureKind,
    /// A caseworker's written reason, for a disclosure decided by hand.
    pub justification: Option<String>,
}

/// Everything one supplier received for one order.
#[derive(Debug, Clone, Serialize)]
pub struct MyRecipient {
    pub order_id: Uuid,
    pub order_reference: String,
    pub service_type: String,
    pub supplier_name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub disclosures: Vec<MyDisclosure>,
    /// When the order ended.
    pub closed_at: Option<Timestamp>,
    /// The supplier's confirmation that it deleted the data, once the order ended.
    pub deletion_confirmed_at: Option<Timestamp>,
}

/// One use of the citizen's data, from the access log.
#[derive(Debug, Clone, Serialize)]
pub struct MyLogEntry {
    pub at: Timestamp,
    /// The organisation of whoever used the data ("Skjold" for the system itself).
    pub organisation: String,
    pub use_kind: UseKind,
    pub purpose: String,
    pub allowed: bool,
    /// Made under a stand-in access (a caseworker outside the unit that works the case).
    pub stand_in: bool,
}

/// The access log's entries about the citizen, each checked against the log's signed
/// checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct MyLog {
    /// Uses by others, newest first.
    pub entries: Vec<MyLogEntry>,
    /// How many times the citizen opened their own view.
    pub own_views: usize,
    /// Entries whose inclusion proof checked out against a signed checkpoint.
    pub verified_entries: usize,
    /// Signed checkpoints the entries were checked against.
    pub checkpoints: usize,
    /// Why the check failed, if it did.
    pub problem: Option<String>,
}

impl MyLog {
    /// Whether every entry was checked and found in the signed log.
    pub fn whole(&self) -> bool {
        self.problem.is_none() && self.verified_entries == self.entries.len() + self.own_views
    }
}

/// The citizen's rights cases.
#[derive(Debug, Clone, Serialize)]
pub struct MyCase {
    pub summary: CaseSummary,
    /// The answer letter can be read.
    pub letter: bool,
    /// A granted portability request: the data can be fetched as JSON and CSV.
    pub data: bool,
}

/// A consent as the citizen sees it, with the text they consented to.
#[derive(Debug, Clone, Serialize)]
pub struct MyConsent {
    pub consent: ConsentView,
    /// The text of the version consented to (from the registry), if it is there.
    pub text: Option<String>,
}

/// A consent the citizen may give: the channel and the text in force.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentOffer {
    pub channel: Channel,
    pub version: i64,
    pub text: String,
    /// Whether a consent to it is in force now.
    pub given: bool,
}

/// What withdrawing a consent did.
#[derive(Debug, Clone, Serialize)]
pub struct Withdrawal {
    pub channel: Channel,
    pub at: Timestamp,
    /// Recipients the ledger shows received the channel's data on the basis of consent.
    pub recipients: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(field: FieldKey, at: i64) -> CaseItem {
        CaseItem {
            id: Uuid::new_v4(),
            field,
            value: format!("{field:?}"),
            source: "s".into(),
            purpose: None,
            collected_at: Timestamp(at),
            restricted: false,
            rectification: None,
            statements: Vec::new(),
        }
    }

    #[test]
    fn items_group_by_category_in_taxonomy_order() {
        let data = MyData::grouped(
            vec![
                item(FieldKey::Email, 3),
                item(FieldKey::Name, 2),
                item(FieldKey::Phone, 1),
            ],
            vec![("Beskæftigelse".into(), "Art. 6, stk. 1, litra e".into())],
        );
        assert_eq!(data.len(), 3);
        assert_eq!(data.name.as_deref(), Some("Name"));
        let cats: Vec<Category> = data.groups.iter().map(|(c, _)| *c).collect();
        let mut sorted = cats.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(cats, sorted, "each category once, in order");
        assert_eq!(
            data.basis_of("Beskæftigelse"),
            Some("Art. 6, stk. 1, litra e")
        );
        assert_eq!(data.basis_of("Andet"), None);
    }
}

/// The duty to inform (DSR-1, DSR-2): the notice of art. 13 when the data comes from the
/// citizen, of art. 14 (with the source) when it comes from others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NoticeArticle {
    Art13,
    Art14,
}

impl NoticeArticle {
    pub fn key(self) -> &'static str {
        match self {
            NoticeArticle::Art13 => "13",
            NoticeArticle::Art14 => "14",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeArticle> {
        match s {
            "13" => Some(NoticeArticle::Art13),
            "14" => Some(NoticeArticle::Art14),
            _ => None,
        }
    }

    /// Art. 13 when every source is the citizen; art. 14 otherwise.
    pub fn for_sources<'a>(mut sources: impl Iterator<Item = &'a str>) -> NoticeArticle {
        if sources.all(|s| s.trim().eq_ignore_ascii_case(FROM_THE_CITIZEN)) {
            NoticeArticle::Art13
        } else {
            NoticeArticle::Art14
        }
    }
}

/// The source that marks data as collected from the citizen themself.
pub const FROM_THE_CITIZEN: &str = "Borgeren";

/// What was decided about a notice: given, postponed (art. 14(5)(b): it would seriously
/// impair an investigation, until a date), or not given under an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Given,
    Postponed,
    Exempt,
}

impl NoticeStatus {
    pub fn key(self) -> &'static str {
        match self {
            NoticeStatus::Given => "given",
            NoticeStatus::Postponed => "postponed",
            NoticeStatus::Exempt => "exempt",
        }
    }

    pub fn parse(s: &str) -> Result<NoticeStatus, crate::Problem> {
        match s.trim() {
            "given" => Ok(NoticeStatus::Given),
            "postponed" => Ok(NoticeStatus::Postponed),
            "exempt" => Ok(NoticeStatus::Exempt),
            _ => Err(crate::Problem::FieldsRequired),
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            NoticeStatus::Given => "Givet",
            NoticeStatus::Postponed => "Udsat",
            NoticeStatus::Exempt => "Undtaget",
        }
    }
}

/// A notice on record: the text given, or the reason it was postponed or not given.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeRecord {
    pub id: Uuid,
    pub purpose: String,
    pub article: NoticeArticle,
    pub status: NoticeStatus,
    /// The notice's text (given) or the reason (postponed, exempt).
    pub text: String,
    pub postponed_until: Option<crate::time::Date>,
    pub recorded_at: Timestamp,
}

/// What a notice is made of, all from the configuration and the records (seed 003
/// § 2.3.1 and § 3.2.1).
#[derive(Debug, Clone)]
pub struct NoticeFacts<'a> {
    pub article: NoticeArticle,
    pub controller: &'a str,
    /// The privacy officers, with their contact where one is set.
    pub dpo: &'a [String],
    pub purpose: &'a str,
    pub purpose_description: &'a str,
    pub legal_basis: &'a str,
    pub categories: &'a [Category],
    /// The categories of recipients: the suppliers of the purpose's services.
    pub recipients: &'a [String],
    pub retention: &'a str,
    /// Decisions based solely on automated processing under the purpose, or empty.
    pub automated_decision: &'a str,
    /// Where the data came from (art. 14 only).
    pub sources: &'a [String],
}

impl NoticeFacts<'_> {
    /// The notice in Danish, section by section.
    pub fn text(&self) -> String {
        let article = match self.article {
            NoticeArticle::Art13 => "artikel 13",
            NoticeArticle::Art14 => "artikel 14",
        };
        let list = |items: &[String], none: &str| {
            if items.is_empty() {
                none.to_owned()
            } else {
                items.join(", ")
            }
        };
        let categories: Vec<String> = self
            .categories
            .iter()
            .map(|c| c.danish().to_lowercase())
            .collect();
        let mut out = vec![
            format!(
                "Oplysning om behandling af dine personoplysninger (databeskyttelsesforordningens {article})."
            ),
            format!("Dataansvarlig: {}.", self.controller),
            format!(
                "Databeskyttelsesrådgiver: {}.",
                list(self.dpo, "kontakt kommunen")
            ),
            format!(
                "Formål: {} – {}.",
                self.purpose,
                self.purpose_description.trim_end_matches('.')
            ),
            format!("Retsgrundlag: {}.", self.legal_basis.trim_end_matches('.')),
            format!(
                "Kategorier af personoplysninger: {}.",
                list(&categories, "ingen")
            ),
            format!(
                "Modtagere: {}.",
                list(self.recipients, "oplysningerne videregives ikke")
            ),
            "Overførsel til lande uden for EU/EØS: ingen.".to_owned(),
            format!(
                "Opbevaring: {}.",
                if self.retention.trim().is_empty() {
                    "så længe det er nødvendigt for formålet, efter arkivreglerne"
                } else {
                    self.retention.trim_end_matches('.')
                }
            ),
        ];
        if self.article == NoticeArticle::Art14 {
            out.push(format!(
                "Oplysningerne kommer fra: {}.",
                list(self.sources, "ukendt kilde")
            ));
        }
        out.push(if self.automated_decision.trim().is_empty() {
            "Automatiske afgørelser: der træffes ingen afgørelser alene ved automatisk behandling."
                .to_owned()
        } else {
            format!(
                "Automatiske afgørelser: {}. Du kan kræve, at en medarbejder ser på afgørelsen.",
                self.automated_decision.trim_end_matches('.')
            )
        });
        out.push(
            "Dine rettigheder: indsigt, berigtigelse, sletning, begrænsning, dataportabilitet, \
             indsigelse og ikke at blive mødt med en rent automatisk afgørelse. Du kan bruge dem \
             under Mine oplysninger i Skjold eller ved at kontakte kommunen."
                .to_owned(),
        );
        out.push(
            "Klage: du kan klage til Datatilsynet, Carl Jacobsens Vej 35, 2500 Valby, \
             www.datatilsynet.dk."
                .to_owned(),
        );
        out.join("\n")
    }
}

#[cfg(test)]
mod notice_tests {
    use super::*;

    #[test]
    fn the_article_follows_the_source() {
        assert_eq!(
            NoticeArticle::for_sources(["Borgeren", "borgeren"].into_iter()),
            NoticeArticle::Art13
        );
        assert_eq!(
            NoticeArticle::for_sources(["Borgeren", "Folkeregisteret"].into_iter()),
            NoticeArticle::Art14
        );
    }

    #[test]
    fn an_art14_notice_names_the_source_and_every_part_of_the_template() {
        let facts = NoticeFacts {
            article: NoticeArticle::Art14,
            controller: "Aarhus Kommune",
            dpo: &["Signe Winther".to_owned()],
            purpose: "Beskæftigelsesindsats",
            purpose_description: "Hjælp til job",
            legal_basis: "Art. 6, stk. 1, litra e",
            categories: &[Category::Identity, Category::Health],
            recipients: &["Mentorhuset ApS".to_owned()],
            retention: "5 år efter sagens afslutning",
            automated_decision: "",
            sources: &["Folkeregisteret".to_owned()],
        };
        let text = facts.text();
        for part in [
            "artikel 14",
            "Aarhus Kommune",
            "Signe Winther",
            "Beskæftigelsesindsats",
            "litra e",
            "helbred",
            "Mentorhuset ApS",
            "5 år",
            "Folkeregisteret",
            "Datatilsynet",
            "ingen afgørelser alene ved automatisk behandling",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        let art13 = NoticeFacts {
            article: NoticeArticle::Art13,
            ..facts
        }
        .text();
        assert!(!art13.contains("Folkeregisteret"));
    }
}

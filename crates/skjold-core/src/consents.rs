//! Consents to reminders (SEC-2): a reminder goes by a channel only while the citizen's
//! consent to that channel is in force; withdrawal takes effect at once.

use serde::Serialize;
use uuid::Uuid;

use crate::taxonomy::FieldKey;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn key(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim() {
            "sms" => Some(Channel::Sms),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "e-mail",
        }
    }

    /// The field of the citizen's data the channel sends to.
    pub fn field(self) -> FieldKey {
        match self {
            Channel::Sms => FieldKey::Phone,
            Channel::Email => FieldKey::Email,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    pub id: Uuid,
    pub channel: String,
    pub notice_version: String,
    pub given_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
}

impl ConsentView {
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.given_at <= now && self.withdrawn_at.is_none_or(|w| now < w)
    }
}

/// A version of a consent text in the registry, with the checklist it was written after.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentText {
    pub channel: Channel,
    pub version: i64,
    pub body: String,
    pub checklist: ConsentChecklist,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    /// Consents given to this version, and how many of them are withdrawn.
    pub given: i64,
    pub withdrawn: i64,
}

/// The checklist a consent text must pass before it is used (seed 003 § 11): consent is
/// the right basis only where the municipality is not exercising a public task, it must not
/// be a condition for a service, and an imbalance of power must be named and offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ConsentChecklist {
    /// Consent is the right basis: the processing is not needed for a task the municipality
    /// carries out by law.
    pub right_basis: bool,
    /// The citizen gets the service whether or not they consent.
    pub not_a_condition: bool,
    /// There is an imbalance of power between the citizen and the municipality.
    pub imbalance: bool,
    /// What offsets the imbalance (required when there is one).
    pub imbalance_offset: String,
}

impl ConsentChecklist {
    /// Whether the answers let consent be asked for.
    pub fn passes(&self) -> bool {
        self.right_basis
            && self.not_a_condition
            && (!self.imbalance || self.imbalance_offset.trim().chars().count() >= 10)
    }
}

/// What a consent text says (the template of seed 003 § 11): who asks, for what, which
/// data, how and for how long, to whom, that it is voluntary, and how to withdraw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTemplate<'a> {
    pub controller: &'a str,
    pub channel: Channel,
    /// How long the data is kept after withdrawal or the end of the service.
    pub retention: &'a str,
    /// Who receives the data to send the reminders (the SMS or e-mail provider).
    pub recipients: &'a str,
}

impl ConsentTemplate<'_> {
    /// The consent text, in Danish, as the citizen reads it.
    pub fn text(&self) -> String {
        let (what, field) = match self.channel {
            Channel::Sms => ("sms", "dit mobilnummer"),
            Channel::Email => ("e-mail", "din e-mailadresse"),
        };
        format!(
            "{controller} beder om dit samtykke til at sende dig påmindelser om aftaler med \
             kommunens leverandører via {what}.\n\
             Vi bruger {field} alene til påmindelserne, og de sendes gennem {recipients}.\n\
             Vi gemmer {field} så længe du har en aftale med en leverandør; derefter {retention}.\n\
             Det er frivilligt at give samtykke. Du får den samme hjælp fra kommunen, uanset om du \
             siger ja eller nej.\n\
             Du kan til enhver tid trække samtykket tilbage under Mine samtykker i Skjold, lige så \
             let som du gav det; det har virkning med det samme, men ændrer ikke ved påmindelser \
             sendt før.",
            controller = self.controller,
            recipients = self.recipients,
            retention = self.retention,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_refuses_a_wrong_basis_a_condition_and_an_unoffset_imbalance() {
        let ok = ConsentChecklist {
            right_basis: true,
            not_a_condition: true,
            imbalance: false,
            imbalance_offset: String::new(),
        };
        assert!(ok.passes());
        assert!(
            !ConsentChecklist {
                right_basis: false,
                ..ok.clone()
            }
            .passes()
        );
        assert!(
            !ConsentChecklist {
                not_a_condition: false,
                ..ok.clone()
            }
            .passes()
        );
        let imbalance = ConsentChecklist {
            imbalance: true,
            ..ok.clone()
        };
        assert!(!imbalance.passes());
        assert!(
            ConsentChecklist {
                imbalance_offset: "Påmindelser er en ekstra service; intet afhænger af dem".into(),
                ..imbalance
            }
            .passes()
        );
    }

    #[test]
    fn the_text_names_who_what_how_long_to_whom_voluntary_and_withdrawal() {
        let text = ConsentTemplate {
            controller: "Aarhus Kommune",
            channel: Channel::Sms,
            retention: "sletter vi det",
            recipients: "kommunens sms-tjeneste",
        }
        .text();
        for part in [
            "Aarhus Kommune",
            "sms",
            "mobilnummer",
            "sms-tjeneste",
            "frivilligt",
            "trække samtykket tilbage",
        ] {
            assert!(text.contains(part), "{part}");
        }
    }
}

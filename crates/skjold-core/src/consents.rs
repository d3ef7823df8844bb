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

//! The answer to an access request (art. 15), built from the records, not typed: the gate
//! gives the purposes, categories, recipients from the ledger, sources, a copy of the data
//! and the gathered parts; here other people's data in the free texts is found with the
//! scrubber. Until the caseworker has reviewed the draft, the marks are shown; the answer
//! that goes out has them replaced by the scrubber's codes (`[NAVN]`, `[CPR]`, …).

use uuid::Uuid;

use skjold_core::rights::{AccessAnswer, ThirdPartyMark};
use skjold_core::{Action, Actor, FieldKey};
use skjold_scrub::{Kind, Scrubber};

use crate::{App, AppError, require};

/// The citizen's own data, which is never another person's.
const OWN_FIELDS: [FieldKey; 5] = [
    FieldKey::Name,
    FieldKey::Cpr,
    FieldKey::Phone,
    FieldKey::Email,
    FieldKey::Address,
];

/// What identifies a person, when it is somebody else's.
fn identifies(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Person
            | Kind::Cpr
            | Kind::NoId
            | Kind::Email
            | Kind::Phone
            | Kind::Address
            | Kind::Account
    )
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Whether `found` is the citizen's own: their name (or part of it), number, e-mail or
/// address.
fn own(found: &str, own_values: &[String]) -> bool {
    let f = found.trim().to_lowercase();
    let f_digits = digits(&f);
    own_values.iter().any(|v| {
        let v = v.to_lowercase();
        if f_digits.len() >= 6
            && digits(&v).ends_with(&f_digits[f_digits.len().saturating_sub(8)..])
        {
            return true;
        }
        let words: Vec<&str> = v.split_whitespace().collect();
        v.contains(&f)
            || f.split_whitespace().all(|w| {
                words
                    .iter()
                    .any(|o| o.trim_matches(',') == w.trim_matches(','))
            })
    })
}

/// Other people's data in the answer's free texts: the items that are not the citizen's
/// own identifiers, and the gathered parts.
pub fn third_parties(scrubber: &Scrubber, answer: &AccessAnswer) -> Vec<ThirdPartyMark> {
    let own_values: Vec<String> = answer
        .items
        .iter()
        .filter(|i| OWN_FIELDS.contains(&i.field))
        .map(|i| i.value.clone())
        .collect();
    let texts = answer
        .items
        .iter()
        .filter(|i| !OWN_FIELDS.contains(&i.field))
        .flat_map(|i| {
            std::iter::once((i.field.key().to_owned(), i.value.as_str())).chain(
                i.statements
                    .iter()
                    .map(move |s| (i.field.key().to_owned(), s.as_str())),
            )
        })
        .chain(
            answer
                .contributions
                .iter()
                .map(|(org, text)| (org.clone(), text.as_str())),
        );
    let mut marks: Vec<ThirdPartyMark> = Vec::new();
    for (place, text) in texts {
        for f in scrubber.find(text) {
            let found = &text[f.start..f.end];
            if !identifies(f.kind) || own(found, &own_values) {
                continue;
            }
            let mark = ThirdPartyMark {
                place: place.clone(),
                text: found.to_owned(),
                kind: f.kind.code().to_owned(),
            };
            if !marks.contains(&mark) {
                marks.push(mark);
            }
        }
    }
    marks
}

/// The answer with every marked text replaced by its code.
fn replace(mut answer: AccessAnswer, marks: &[ThirdPartyMark]) -> AccessAnswer {
    let redact = |text: &str, place: &str| -> String {
        marks
            .iter()
            .filter(|m| m.place == place)
            .fold(text.to_owned(), |t, m| {
                t.replace(&m.text, &format!("[{}]", m.kind))
            })
    };
    for item in &mut answer.items {
        if OWN_FIELDS.contains(&item.field) {
            continue;
        }
        let place = item.field.key();
        item.value = redact(&item.value, place);
        item.statements = item.statements.iter().map(|s| redact(s, place)).collect();
    }
    answer.contributions = answer
        .contributions
        .iter()
        .map(|(org, text)| (org.clone(), redact(text, org)))
        .collect();
    answer.third_parties = Vec::new();
    answer
}

impl App {
    /// The access answer of a case. Until the caseworker has reviewed it, a draft with
    /// other people's data marked; after, the answer that goes out, with it replaced.
    pub async fn access_answer(
        &self,
        actor: &Actor,
        case_id: Uuid,
    ) -> Result<AccessAnswer, AppError> {
        require(actor, Action::HandleRights)?;
        let mut answer = self
            .store()
            .gate()
            .access_records(actor, case_id, self.now())
            .await?;
        let marks = third_parties(self.guard.scrubber(self)?, &answer);
        if answer.reviewed {
            answer = replace(answer, &marks);
        } else {
            answer.third_parties = marks;
        }
        Ok(answer)
    }

    /// The caseworker has reviewed the draft answer for other people's data.
    pub async fn review_rights_answer(&self, actor: &Actor, case_id: Uuid) -> Result<(), AppError> {
        require(actor, Action::HandleRights)?;
        Ok(self
            .store()
            .gate()
            .review_rights_answer(actor, case_id, self.now())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_citizens_own_data_is_not_a_third_party() {
        let own_values = vec![
            "Mette Jensen".to_owned(),
            "070761-4285".to_owned(),
            "20 30 40 50".to_owned(),
        ];
        assert!(own("Mette", &own_values));
        assert!(own("Mette Jensen", &own_values));
        assert!(own("0707614285", &own_values));
        assert!(own("20304050", &own_values));
        assert!(!own("Ole Hansen", &own_values));
        assert!(!own("31 32 33 34", &own_values));
    }
}

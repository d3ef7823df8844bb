//! Input at the edge, read into core's types for the privacy officer's desk: the keys the
//! API and the forms name (a breach's nature and clocks, a search's party, a retention
//! rule's record type, trigger and action) and instants as each writes them (RFC 3339 in
//! the API, a date and a time in Copenhagen in a form). An unknown key is refused with
//! its own problem, before anything is written.

use uuid::Uuid;

use skjold_core::breaches::{ClockKind, DetectedBy, Nature, Party};
use skjold_core::retention::{RecordType, RetentionAction, Trigger};
use skjold_core::time::LOCAL_ZONE;
use skjold_core::{Category, Date, Problem, Timestamp};

fn local_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(LOCAL_ZONE).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// An instant as the API takes it: RFC 3339, with an offset or `Z`.
pub(crate) fn rfc3339(field: &str, s: &str) -> Result<Timestamp, Problem> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .map(|t| Timestamp(t.as_microsecond()))
        .map_err(|_| Problem::BadRequestBody(format!("{field}: not an RFC 3339 instant")))
}

/// An optional RFC 3339 instant; an empty string is none.
pub(crate) fn rfc3339_opt(field: &str, s: Option<&str>) -> Result<Option<Timestamp>, Problem> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => rfc3339(field, s).map(Some),
        None => Ok(None),
    }
}

/// A form's date and time (`datetime-local`: `2026-11-23T14:05`), in Copenhagen.
pub(crate) fn local_instant(s: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = s.trim().parse().ok()?;
    let zoned = civil.to_zoned_datetime(local_zone()).ok()?;
    Some(Timestamp(zoned.timestamp().as_microsecond()))
}

/// An instant as a form's `datetime-local` value, in Copenhagen.
pub(crate) fn local_input(t: Timestamp) -> String {
    jiff::Timestamp::from_microsecond(t.micros())
        .map(|t| {
            t.to_zoned_datetime(local_zone())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A form's date as the start of that day in Copenhagen; `end` gives the start of the next
/// day (a window "until" a date includes the date).
pub(crate) fn local_day(s: &str, end: bool) -> Option<Timestamp> {
    let d: Date = s.trim().parse().ok()?;
    Some(if end { d.plus_days(1) } else { d }.start_local())
}

/// The natures named, each once, in their order.
pub(crate) fn natures(keys: &[String]) -> Result<Vec<Nature>, Problem> {
    let mut out = Vec::new();
    for k in keys {
        let n = Nature::parse(k).ok_or(Problem::BadNature)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out.sort();
    Ok(out)
}

/// The categories named, each once, in their order.
pub(crate) fn categories(keys: &[String]) -> Result<Vec<Category>, Problem> {
    skjold_core::records::parse_categories(keys)
}

/// Who found a breach: `controller` (also when none is named) or `processor`.
pub(crate) fn detected_by(key: &str) -> Result<DetectedBy, Problem> {
    if key.trim().is_empty() {
        return Ok(DetectedBy::Controller);
    }
    DetectedBy::parse(key).ok_or(Problem::BadRequestBody(
        "detected_by: controller or processor".into(),
    ))
}

pub(crate) fn clock(key: &str) -> Result<ClockKind, Problem> {
    ClockKind::parse(key).ok_or(Problem::BadClock)
}

/// A search's party: `user` or `organisation`, with its id.
pub(crate) fn party(kind: &str, id: Uuid) -> Result<Party, Problem> {
    match kind.trim() {
        "user" => Ok(Party::User(id)),
        "organisation" => Ok(Party::Organisation(id)),
        _ => Err(Problem::BadParty),
    }
}

pub(crate) fn record_type(key: &str) -> Result<RecordType, Problem> {
    RecordType::parse(key).ok_or(Problem::BadRecordType)
}

pub(crate) fn trigger(key: &str) -> Result<Trigger, Problem> {
    Trigger::parse(key).ok_or(Problem::BadRetentionTrigger)
}

pub(crate) fn retention_action(key: &str) -> Result<RetentionAction, Problem> {
    RetentionAction::parse(key).ok_or(Problem::BadRetentionAction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_instant_is_copenhagen_time() {
        // 23 November: UTC+1.
        let t = local_instant("2026-11-23T13:05").expect("instant");
        assert_eq!(t.rfc3339(), "2026-11-23T12:05:00Z");
        assert_eq!(local_input(t), "2026-11-23T13:05");
        assert_eq!(local_instant("23.11.2026"), None);
        let day = local_day("2026-11-23", true).expect("day");
        assert_eq!(day.rfc3339(), "2026-11-23T23:00:00Z");
    }

    #[test]
    fn api_instants_and_keys() {
        assert_eq!(
            rfc3339("aware_at", "2026-11-23T13:05:00+01:00").map(|t| t.rfc3339()),
            Ok("2026-11-23T12:05:00Z".to_owned())
        );
        assert!(rfc3339("aware_at", "2026-11-23").is_err());
        assert_eq!(natures(&["ukendt".into()]), Err(Problem::BadNature));
        assert_eq!(
            natures(&[
                "integrity".into(),
                "confidentiality".into(),
                "integrity".into()
            ]),
            Ok(vec![Nature::Confidentiality, Nature::Integrity])
        );
        assert_eq!(party("gruppe", Uuid::nil()), Err(Problem::BadParty));
        assert_eq!(clock("x"), Err(Problem::BadClock));
        assert_eq!(trigger("x"), Err(Problem::BadRetentionTrigger));
        assert_eq!(retention_action("x"), Err(Problem::BadRetentionAction));
        assert_eq!(record_type("x"), Err(Problem::BadRecordType));
    }
}

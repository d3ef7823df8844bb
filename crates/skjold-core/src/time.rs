//! Dates and instants, and the deadline arithmetic built on them.
//!
//! Instants are stored everywhere as integer microseconds since the Unix epoch (UTC): one
//! fixed-width form that sorts the same on SQLite and PostgreSQL. Calendar dates are
//! ISO-8601 `YYYY-MM-DD` strings, which also sort correctly as text. Nothing in this crate
//! reads a clock: the caller passes "now".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The time zone Skjold's users live in; used only for display and for "today".
pub const LOCAL_ZONE: &str = "Europe/Copenhagen";

fn local_tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(LOCAL_ZONE).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date(jiff::civil::Date);

impl Date {
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let year = i16::try_from(year).ok()?;
        let month = i8::try_from(month).ok()?;
        let day = i8::try_from(day).ok()?;
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    pub fn year(self) -> i32 {
        i32::from(self.0.year())
    }

    pub fn month(self) -> u8 {
        self.0.month().unsigned_abs()
    }

    pub fn day(self) -> u8 {
        self.0.day().unsigned_abs()
    }

    /// The same day `n` months later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb).
    pub fn plus_months(self, n: i32) -> Date {
        self.0
            .checked_add(jiff::Span::new().months(n))
            .map(Date)
            .unwrap_or(self)
    }

    pub fn plus_days(self, n: i32) -> Date {
        self.0
            .checked_add(jiff::Span::new().days(n))
            .map(Date)
            .unwrap_or(self)
    }

    /// Whole years from `self` to `later` (an age, when `self` is a birth date).
    pub fn years_until(self, later: Date) -> i32 {
        let mut years = later.year() - self.year();
        if (later.month(), later.day()) < (self.month(), self.day()) {
            years -= 1;
        }
        years
    }

    /// The first instant of this day in Copenhagen.
    pub fn start_local(self) -> Timestamp {
        self.0
            .to_zoned_datetime(local_tz())
            .map(|z| Timestamp(z.timestamp().as_microsecond()))
            .unwrap_or(Timestamp(0))
    }

    /// `23.11.2026`, the Danish display form.
    pub fn danish(self) -> String {
        format!("{:02}.{:02}.{}", self.day(), self.month(), self.year())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a date: use YYYY-MM-DD")]
pub struct DateError;

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        let s = s.trim();
        if s.len() != 10 {
            return Err(DateError);
        }
        s.parse::<jiff::civil::Date>()
            .map(Date)
            .map_err(|_| DateError)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Date, DateError> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// An instant, as microseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl From<i64> for Timestamp {
    fn from(us: i64) -> Timestamp {
        Timestamp(us)
    }
}

impl Timestamp {
    pub const MICROS_PER_SECOND: i64 = 1_000_000;

    pub fn from_micros(us: i64) -> Timestamp {
        Timestamp(us)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, s: i64) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(s.saturating_mul(Self::MICROS_PER_SECOND)),
        )
    }

    fn zoned(self) -> Option<jiff::ZonedDateTime> {
        jiff::Timestamp::from_microsecond(self.0)
            .ok()
            .map(|t| t.to_zoned_datetime(local_tz()))
    }

    /// The calendar date in Copenhagen at this instant: what "today" means for deadlines.
    pub fn local_date(self) -> Date {
        self.zoned()
            .map(|z| Date(z.date()))
            .unwrap_or(Date(jiff::civil::date(1970, 1, 1)))
    }

    /// `23.11.2026 14:05`, Copenhagen time.
    pub fn danish(self) -> String {
        match self.zoned() {
            Some(z) => z.strftime("%d.%m.%Y %H:%M").to_string(),
            None => String::from("?"),
        }
    }

    /// RFC 3339 in UTC, for APIs and exports.
    pub fn rfc3339(self) -> String {
        jiff::Timestamp::from_microsecond(self.0)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic_clamps() {
        let d = Date::from_ymd(2027, 1, 31).expect("date");
        assert_eq!(d.plus_months(1), Date::from_ymd(2027, 2, 28).expect("date"));
        assert_eq!(d.plus_days(1), Date::from_ymd(2027, 2, 1).expect("date"));
    }

    #[test]
    fn local_date_follows_copenhagen() {
        // 2026-11-23T23:30:00Z is already the 24th in Copenhagen (UTC+1).
        let t = Timestamp(1_795_476_600 * Timestamp::MICROS_PER_SECOND);
        assert_eq!(t.rfc3339(), "2026-11-23T23:30:00Z");
        assert_eq!(t.local_date(), Date::from_ymd(2026, 11, 24).expect("date"));
        assert_eq!(t.danish(), "24.11.2026 00:30");
    }

    #[test]
    fn parse_and_display_round_trip() {
        let d: Date = "2026-03-01".parse().expect("date");
        assert_eq!(d.to_string(), "2026-03-01");
        assert_eq!(d.danish(), "01.03.2026");
        assert!("2026-3-1".parse::<Date>().is_err());
        assert!("2026-02-30".parse::<Date>().is_err());
        let born = Date::from_ymd(1990, 11, 24).expect("date");
        assert_eq!(
            born.years_until(Date::from_ymd(2026, 11, 23).expect("date")),
            35
        );
    }
}

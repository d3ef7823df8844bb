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
    /// 1 January 1970, for a stored date that cannot be read.
    pub const EPOCH: Date = Date(jiff::civil::date(1970, 1, 1));

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

    /// `1. december 2026`, the Danish long form.
    pub fn danish_long(self) -> String {
        const MONTHS: [&str; 12] = [
            "januar",
            "februar",
            "marts",
            "april",
            "maj",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "december",
        ];
        let month = MONTHS
            .get(usize::from(self.month()).saturating_sub(1))
            .copied()
            .unwrap_or("?");
        format!("{}. {month} {}", self.day(), self.year())
    }

    /// The day of the week, ISO 8601: 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u8 {
        self.0.weekday().to_monday_one_offset().unsigned_abs()
    }

    /// The `n`-th working day after `self` ([`is_working_day`]); `self` is not counted, and
    /// `n = 0` gives `self`. Stops at the last representable date.
    pub fn plus_working_days(self, n: u32) -> Date {
        let mut day = self;
        let mut left = n;
        while left > 0 {
            let next = day.plus_days(1);
            if next == day {
                break;
            }
            day = next;
            if is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

/// The last year Store bededag was a helligdag (lov nr. 115 af 28. februar 2023).
pub const STORE_BEDEDAG_LAST_YEAR: i32 = 2023;

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian computus,
/// also called Meeus/Jones/Butcher). Years outside −9999..=9999 are clamped to that range.
pub fn easter_sunday(year: i32) -> Date {
    let y = year.clamp(-9999, 9999);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // March 22 … April 25: always a valid date in the clamped range.
    let month = u8::try_from(month).unwrap_or(4);
    let day = u8::try_from(day).unwrap_or(1);
    Date::from_ymd(y, month, day).unwrap_or(Date(jiff::civil::Date::MIN))
}

/// The Danish name of the day if public offices are closed on it, else `None`.
///
/// These are the folkekirke's helligdage (lov om helligdagsfred): Nytårsdag, Skærtorsdag,
/// Langfredag, Påskedag, 2. påskedag, Kristi himmelfartsdag, Pinsedag, 2. pinsedag,
/// Juledag and 2. juledag, and Store bededag up to and including 2023 (it was abolished
/// as a helligdag from 2024 by lov nr. 115 af 28. februar 2023). Grundlovsdag (5 June),
/// Juleaftensdag (24 December) and Nytårsaftensdag (31 December) are not helligdage, but
/// the public administration is closed on them by agreement, so they are counted as
/// non-working days too: a notice counted in working days is then never short.
pub fn danish_holiday(date: Date) -> Option<&'static str> {
    match (date.month(), date.day()) {
        (1, 1) => return Some("Nytårsdag"),
        (6, 5) => return Some("Grundlovsdag"),
        (12, 24) => return Some("Juleaftensdag"),
        (12, 25) => return Some("Juledag"),
        (12, 26) => return Some("2. juledag"),
        (12, 31) => return Some("Nytårsaftensdag"),
        _ => {}
    }
    let easter = easter_sunday(date.year());
    let from_easter = easter.0.until(date.0).ok()?.get_days();
    match from_easter {
        -3 => Some("Skærtorsdag"),
        -2 => Some("Langfredag"),
        0 => Some("Påskedag"),
        1 => Some("2. påskedag"),
        // The fourth Friday after Easter.
        26 if date.year() <= STORE_BEDEDAG_LAST_YEAR => Some("Store bededag"),
        39 => Some("Kristi himmelfartsdag"),
        49 => Some("Pinsedag"),
        50 => Some("2. pinsedag"),
        _ => None,
    }
}

/// Whether public offices are open: Monday to Friday, and not a day of
/// [`danish_holiday`].
pub fn is_working_day(date: Date) -> bool {
    date.weekday() <= 5 && danish_holiday(date).is_none()
}

/// The number of working days `d` with `from < d <= to`; 0 when `to <= from`. The
/// inverse of [`Date::plus_working_days`].
pub fn working_days_between(from: Date, to: Date) -> u32 {
    let mut count: u32 = 0;
    let mut day = from;
    while day < to {
        let next = day.plus_days(1);
        if next == day {
            break;
        }
        day = next;
        if is_working_day(day) {
            count = count.saturating_add(1);
        }
    }
    count
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
    use proptest::prelude::*;

    fn ymd(y: i32, m: u8, d: u8) -> Date {
        Date::from_ymd(y, m, d).expect("date")
    }

    #[test]
    fn the_long_danish_date_names_the_month() {
        assert_eq!(ymd(2026, 12, 1).danish_long(), "1. december 2026");
        assert_eq!(ymd(2027, 3, 15).danish_long(), "15. marts 2027");
    }

    #[test]
    fn weekdays_are_iso() {
        assert_eq!(ymd(2026, 4, 1).weekday(), 3);
        assert_eq!(ymd(2026, 4, 5).weekday(), 7);
        assert_eq!(ymd(2026, 4, 6).weekday(), 1);
        assert_eq!(ymd(2026, 12, 18).weekday(), 5);
    }

    #[test]
    fn easter_sundays() {
        assert_eq!(easter_sunday(2023), ymd(2023, 4, 9));
        assert_eq!(easter_sunday(2024), ymd(2024, 3, 31));
        assert_eq!(easter_sunday(2025), ymd(2025, 4, 20));
        assert_eq!(easter_sunday(2026), ymd(2026, 4, 5));
        assert_eq!(easter_sunday(2027), ymd(2027, 3, 28));
        assert_eq!(easter_sunday(2038), ymd(2038, 4, 25));
        for year in 1900..2200 {
            assert_eq!(easter_sunday(year).weekday(), 7, "{year}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        let named = |m, d| danish_holiday(ymd(2026, m, d));
        assert_eq!(named(1, 1), Some("Nytårsdag"));
        assert_eq!(named(4, 2), Some("Skærtorsdag"));
        assert_eq!(named(4, 3), Some("Langfredag"));
        assert_eq!(named(4, 5), Some("Påskedag"));
        assert_eq!(named(4, 6), Some("2. påskedag"));
        assert_eq!(named(5, 1), None);
        assert_eq!(named(5, 14), Some("Kristi himmelfartsdag"));
        assert_eq!(named(5, 24), Some("Pinsedag"));
        assert_eq!(named(5, 25), Some("2. pinsedag"));
        assert_eq!(named(6, 5), Some("Grundlovsdag"));
        assert_eq!(named(12, 24), Some("Juleaftensdag"));
        assert_eq!(named(12, 25), Some("Juledag"));
        assert_eq!(named(12, 26), Some("2. juledag"));
        assert_eq!(named(12, 31), Some("Nytårsaftensdag"));
        assert_eq!(named(12, 30), None);
    }

    #[test]
    fn store_bededag_ends_with_2023() {
        assert_eq!(danish_holiday(ymd(2023, 5, 5)), Some("Store bededag"));
        assert!(!is_working_day(ymd(2023, 5, 5)));
        assert_eq!(danish_holiday(ymd(2024, 4, 26)), None);
        assert!(is_working_day(ymd(2024, 4, 26)));
    }

    #[test]
    fn working_days_across_easter_2026() {
        let wed = ymd(2026, 4, 1);
        assert_eq!(wed.plus_working_days(0), wed);
        // Thu 2, Fri 3, Sat 4, Sun 5 and Mon 6 are closed: Tue 7 is the first.
        assert_eq!(wed.plus_working_days(1), ymd(2026, 4, 7));
        assert_eq!(wed.plus_working_days(5), ymd(2026, 4, 13));
        // 7, 8, 9, 10, 13, 14, 15.
        assert_eq!(wed.plus_working_days(7), ymd(2026, 4, 15));
        assert_eq!(working_days_between(wed, ymd(2026, 4, 15)), 7);
        assert_eq!(working_days_between(wed, ymd(2026, 4, 6)), 0);
    }

    #[test]
    fn working_days_across_christmas_2026() {
        let fri = ymd(2026, 12, 18);
        // 21, 22, 23; 24, 25 and 26 closed; 28, 29, 30; 31 and 1 January closed; 4 January.
        assert_eq!(fri.plus_working_days(3), ymd(2026, 12, 23));
        assert_eq!(fri.plus_working_days(4), ymd(2026, 12, 28));
        assert_eq!(fri.plus_working_days(6), ymd(2026, 12, 30));
        assert_eq!(fri.plus_working_days(7), ymd(2027, 1, 4));
        assert_eq!(working_days_between(fri, ymd(2027, 1, 4)), 7);
        assert_eq!(working_days_between(fri, ymd(2027, 1, 3)), 6);
    }

    #[test]
    fn working_days_between_is_empty_backwards() {
        let d = ymd(2026, 4, 15);
        assert_eq!(working_days_between(d, d), 0);
        assert_eq!(working_days_between(d, ymd(2026, 4, 1)), 0);
        // Stops, rather than looping, at the end of the calendar.
        let last = ymd(9999, 12, 31);
        assert_eq!(last.plus_working_days(3), last);
    }

    proptest! {
        #[test]
        fn working_days_between_inverts_plus(days in 0i32..(200 * 366), n in 0u32..60) {
            let from = ymd(1950, 1, 1).plus_days(days);
            let to = from.plus_working_days(n);
            prop_assert_eq!(working_days_between(from, to), n);
            if n > 0 {
                prop_assert!(is_working_day(to));
                prop_assert_eq!(working_days_between(from, to.plus_days(-1)), n - 1);
            }
        }
    }

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
